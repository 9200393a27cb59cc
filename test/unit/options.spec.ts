import { describe, expect, test } from '@jest/globals';
import { CACHE_PAGE_DEFAULTS, resolveCachePageOptions } from '../../lib/cache-page.options.js';

/** The least an edge purger is. */
const EDGE = {
  name: 'an edge',
  keyHeader: 'xkey',
  keySeparator: ' ',
  maxKeyHeaderBytes: 7_168,
  lifetimeHeader: 'Surrogate-Control',
  purge: async (): Promise<void> => undefined,
};

describe('module options', () => {
  test('every default comes from one object', () => {
    const resolved = resolveCachePageOptions();
    expect(resolved.ignorePaths).toEqual(CACHE_PAGE_DEFAULTS.ignorePaths);
    expect(resolved).toMatchObject({
      keyPrefix: 'cache-page:',
      ttl: 0,
      maxEntries: 10_000,
      maxBytes: 128 * 1024 * 1024,
      storeTimeout: 250,
      reclaimAfter: 7 * 24 * 60 * 60_000,
      dependentPathsTimeout: 1_000,
      fastPath: 'auto',
      skippableMiddleware: [],
      reloadOnBack: false,
      noStoreUncached: false,
    });
  });

  test.each([
    [{ ttl: -1 }, 'option "ttl" must be a number of milliseconds >= 0 (0 = forever) (got -1)'],
    [{ storeTimeout: 0 }, 'option "storeTimeout" must be a number of milliseconds > 0 (got 0)'],
    [{ ignorePaths: ['admin'] }, '"ignorePaths" entry "admin" is not valid'],
    [{ languages: ['en', 'not a tag'] }, 'option "languages" must be language tags'],
    [{ fastPath: 'yes' }, `option "fastPath" must be 'auto', true or false (got "yes")`],
    [
      { skippableMiddleware: [''] },
      'option "skippableMiddleware" must be an array of middleware function names',
    ],
    [
      { skippableMiddleware: 'requestLogger' },
      `(e.g. ['requestLogger', MetricsMiddleware]) (got "requestLogger")`,
    ],
    [{ edge: [] }, 'option "edge" must be an object such as { purgers: [new VarnishPurger({ url })] }'],
    [{ edge: { purgers: [] } }, 'option "edge.purgers" must be a non-empty array of purgers'],
    [
      { edge: { purgers: [{ purge: (): void => undefined }] } },
      'option "edge.purgers[0]" must be an EdgePurger',
    ],
    [{ edge: { purger: {} } }, 'option "edge.purger" is not an edge option (known: purgers, ttl,'],
    [
      { edge: { purgers: [EDGE], ttl: 10 } },
      'option "edge.ttl" must be a number of milliseconds >= 1000 (got 10)',
    ],
    [{ edge: { purgers: [EDGE], waitForPurge: 'yes' } }, 'option "edge.waitForPurge" must be true or false'],
  ])('%j is refused with the module, the value and the fix', (options, message) => {
    expect(() => resolveCachePageOptions(options as never)).toThrow(message);
    expect(() => resolveCachePageOptions(options as never)).toThrow(/^CachePageModule: /);
  });

  test('a RegExp that misses the path it guards is warned about; strings and good RegExps are not', () => {
    expect(resolveCachePageOptions({ ignorePaths: [/^\/account\//] }).warnings).toEqual([
      expect.stringContaining('matches "/account/…" but not "/account" itself'),
    ]);
    expect(resolveCachePageOptions({ ignorePaths: ['/account', /^\/admin(?:\/|$)/] }).warnings).toEqual([]);
  });

  test('edge: defaults for what is left out, and no edge unless asked', () => {
    expect(resolveCachePageOptions().edge).toBeUndefined();
    expect(resolveCachePageOptions({ edge: { purgers: [EDGE as never] } }).edge).toEqual({
      purgers: [EDGE],
      ttl: 86_400_000,
      waitForPurge: false,
      purgeTimeout: 2_000,
      repurgeAfter: 5_000,
    });
  });

  test('a global or sticky RegExp loses its flags (it would match every other request)', () => {
    const [pattern] = resolveCachePageOptions({ ignorePaths: [/^\/x/g] }).ignorePaths as RegExp[];
    expect(pattern!.flags).toBe('');
  });
});
