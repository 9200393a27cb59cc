import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The library's source folder. */
export const LIB = fileURLToPath(new URL('../../lib', import.meta.url));

/** Every `.ts` file under `directory` (default: the library's sources), recursively. */
export function libSources(directory = LIB): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? libSources(join(directory, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(directory, entry.name)]
        : [],
  );
}
