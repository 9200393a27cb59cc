import { describe, expect, test } from '@jest/globals';
import { pageFragment } from '../../../lib/fragments/fragment-marker.js';
import { fillSlots, splitFragments, staticPieces } from '../../../lib/fragments/fragment-template.js';

describe('splitFragments', () => {
  test('cuts each marker out and remembers its byte offset and name, in order', () => {
    const body = Buffer.from(`${pageFragment('a')}<p>é ${pageFragment('b.c')}</p>${pageFragment('a')}`);
    const template = splitFragments(body)!;
    expect(template.bytes.toString()).toBe('<p>é </p>');
    expect(template.slots).toEqual([
      [0, 'a'],
      [Buffer.byteLength('<p>é '), 'b.c'],
      [Buffer.byteLength('<p>é </p>'), 'a'],
    ]);
  });

  test('a body without a marker of this process is not a template, whatever it copies', () => {
    expect(
      splitFragments(Buffer.from('<p>cache-page:000000000000000000000000:greeting;</p>')),
    ).toBeUndefined();
  });

  test('a marker with a name pageFragment() would refuse is dropped without a place', () => {
    const prefix = pageFragment('x').slice(0, -'x;'.length);
    const template = splitFragments(Buffer.from(`<p>${prefix}bad name;</p>`))!;
    expect(template.slots).toEqual([]);
    expect(template.bytes.toString()).toBe('<p>bad name;</p>');
  });

  test('filling puts each value at its offset; the static pieces are what lies between', () => {
    const template = splitFragments(Buffer.from(`[${pageFragment('a')}|${pageFragment('b')}]`))!;
    expect(fillSlots(template.bytes, template.slots, [Buffer.from('1'), Buffer.from('22')]).toString()).toBe(
      '[1|22]',
    );
    expect(staticPieces(template.bytes, template.slots).map(String)).toEqual(['[', '|', ']']);
  });

  test('names are checked where they are written', () => {
    expect(() => pageFragment('two words')).toThrow(
      'CachePageModule: pageFragment("two words"): a fragment name is 1 to 64 letters, digits',
    );
  });
});
