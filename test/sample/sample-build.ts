import { execFile } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The compiled sample's entry point, as `npm start` runs it. */
export const SAMPLE_MAIN = join(ROOT, 'sample/dist/main.js');

/** What `npm run build:sample` compiles, and what it writes. */
const SOURCES = ['lib', 'sample/src', 'tsconfig.build.json', 'sample/tsconfig.json', 'package.json'];
const OUTPUTS = [join(ROOT, 'dist/index.js'), SAMPLE_MAIN];

/**
 * Runs `npm run build:sample` (the library, then the sample against it) unless both builds are
 * newer than every source file, so the sample tests run the code as it is now, the way
 * `npm start` runs it: compiled, in plain Node.
 */
export async function buildSampleIfStale(): Promise<void> {
  const built = await oldestMtime(OUTPUTS);
  const changed = await newestMtime(SOURCES.map((path) => join(ROOT, path)));
  if (built !== undefined && built > changed) return;
  await promisify(execFile)('npm', ['run', 'build:sample'], { cwd: ROOT, timeout: 180_000 });
}

async function oldestMtime(files: readonly string[]): Promise<number | undefined> {
  try {
    return Math.min(...(await Promise.all(files.map(async (file) => (await stat(file)).mtimeMs))));
  } catch {
    return undefined;
  }
}

async function newestMtime(paths: readonly string[]): Promise<number> {
  let newest = 0;
  for (const path of paths) {
    const info = await stat(path);
    if (info.isDirectory()) {
      const entries = await readdir(path);
      newest = Math.max(newest, await newestMtime(entries.map((entry) => join(path, entry))));
    } else {
      newest = Math.max(newest, info.mtimeMs);
    }
  }
  return newest;
}
