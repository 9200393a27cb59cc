import { describe, expect, test } from '@jest/globals';
import { VarnishPurger } from '../../../lib/edge/varnish-purger.js';

describe('VarnishPurger', () => {
  test('reads xkey for keys and Surrogate-Control for the lifetime, within Varnish 8 KiB header lines', () => {
    const purger = new VarnishPurger({ url: 'http://127.0.0.1:6081' });
    expect(purger).toMatchObject({
      name: 'Varnish at http://127.0.0.1:6081',
      keyHeader: 'xkey',
      keySeparator: ' ',
      lifetimeHeader: 'Surrogate-Control',
    });
    expect('xkey: '.length + purger.maxKeyHeaderBytes).toBeLessThanOrEqual(8_192);
    expect(purger.maxKeyHeaderBytes).toBeGreaterThanOrEqual(4_096);
  });

  test.each([undefined, '', '127.0.0.1:6081', 'ftp://varnish', 'http://', 42])(
    'refuses the url %p, naming it and the fix',
    (url) => {
      expect(() => new VarnishPurger({ url } as never)).toThrow(
        /^CachePageModule: new VarnishPurger\(\{ url \}\)/,
      );
      expect(() => new VarnishPurger({ url } as never)).toThrow(/Fix the url/);
    },
  );

  test('refuses an unknown mode, naming it and the two it may be', () => {
    expect(() => new VarnishPurger({ url: 'http://varnish', mode: 'purge' as never })).toThrow(
      /^CachePageModule: .*'xkey'.*'ban'.*got "purge"/,
    );
    expect(new VarnishPurger({ url: 'https://varnish:6081', mode: 'ban' }).name).toBe(
      'Varnish at https://varnish:6081',
    );
  });
});
