import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { LIB, libSources } from '../support/lib-sources.js';

/*
 * @mikro-orm/core is an optional peer: apps without MikroORM must never load it. Jest cannot
 * show which modules a fresh process loads, so this guards the code shape that ensures it:
 * outside lib/orm/ and lib/dependencies/ (automatic dependencies, which reads MikroORM's
 * metadata) nothing mentions the package, and inside them only type imports and the one lazy
 * import() of mikro-orm.loader.ts do.
 */

/** Every static import/export statement, dynamic import() and type import() naming a MikroORM package. */
const references = libSources().flatMap((file) => {
  const text = readFileSync(file, 'utf8');
  const found = [
    ...text.matchAll(/^(?:import|export)\s[^;]*?from\s+'(@mikro-orm\/[^']+)'/gm),
    ...text.matchAll(/import\('(@mikro-orm\/[^']+)'\)/g),
  ];
  return found.map((match) => ({
    file: relative(LIB, file),
    kind: match[0].startsWith('import(')
      ? text.slice(Math.max(0, match.index! - 7), match.index) === 'typeof '
        ? 'type import()'
        : 'import()'
      : /^(import|export) type\s/.test(match[0])
        ? 'type'
        : 'value',
  }));
});

describe('@mikro-orm/core stays optional', () => {
  test('lib/orm/ and lib/dependencies/ are the only places that name MikroORM packages', () => {
    expect(references.length).toBeGreaterThan(0);
    const elsewhere = references.filter(
      ({ file }) => !file.startsWith('orm/') && !file.startsWith('dependencies/'),
    );
    expect(elsewhere).toEqual([]);
  });

  test('it imports only types, and loads the package once, lazily, in the loader', () => {
    expect(references.filter(({ kind }) => kind !== 'type' && kind !== 'type import()')).toEqual([
      { file: 'orm/mikro-orm.loader.ts', kind: 'import()' },
    ]);
  });
});
