import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/*
 * README sections whose examples are real files under docs/examples/: `npm run typecheck`
 * compiles those files, and this test fails when the README shows anything else than the
 * file's `#region readme`.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EXAMPLES: Record<string, string> = {
  'Paths from routes': 'docs/examples/paths-from-routes.ts',
  'Seeing what the cache does': 'docs/examples/seeing-what-the-cache-does.ts',
  'Personal fragments': 'docs/examples/personal-fragments.ts',
  'Warm-up': 'docs/examples/warm-up.ts',
};

const readme = readFileSync(`${ROOT}README.md`, 'utf8');

/** The ```ts blocks of a README section. */
function blocksOf(section: string): string[] {
  const start = readme.indexOf(`\n## ${section}\n`);
  if (start === -1) return [];
  const end = readme.indexOf('\n## ', start + 1);
  const text = readme.slice(start, end === -1 ? undefined : end);
  return [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!);
}

/** A file's `#region readme`, without the indentation it has there. */
function regionOf(file: string): string {
  const text = readFileSync(`${ROOT}${file}`, 'utf8');
  const region = /^([ \t]*)\/\/ #region readme\n([\s\S]*?)^[ \t]*\/\/ #endregion readme/m.exec(text);
  if (!region) throw new Error(`${file} has no // #region readme`);
  const indent = region[1]!;
  return region[2]!
    .split('\n')
    .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line))
    .join('\n');
}

describe('README examples', () => {
  test.each(Object.entries(EXAMPLES))('"%s" shows the code of %s', (section, file) => {
    const blocks = blocksOf(section);
    expect(blocks.length).toBeGreaterThan(0);
    expect(blocks[0]).toBe(regionOf(file));
  });
});
