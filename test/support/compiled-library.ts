import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The library compiled as a user's app loads it (tsconfig.build.json, plain Node, no Jest), for
 * tests that run real processes. Built once per checkout and version of `lib/` (keyed by a hash
 * of both) into a temporary directory whose `node_modules` is the repository's; gives the path
 * of its `index.js`.
 */
export async function compiledLibrary(): Promise<string> {
  const hash = await sourceHash(join(ROOT, 'lib'));
  const build = join(tmpdir(), `cache-page-lib-${hash}`);
  const entry = join(build, 'lib', 'index.js');
  if (existsSync(entry)) return entry;
  const staging = `${build}.${process.pid}.tmp`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  await writeFile(join(staging, 'package.json'), '{ "type": "module" }');
  await symlink(join(ROOT, 'node_modules'), join(staging, 'node_modules'), 'dir');
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  const args = ['-p', 'tsconfig.build.json', '--outDir', join(staging, 'lib'), '--declaration', 'false'];
  await run(process.execPath, [tsc, ...args, '--sourceMap', 'false'], { cwd: ROOT });
  try {
    await rename(staging, build);
  } catch {
    await rm(staging, { recursive: true, force: true }); // another test file built it meanwhile
  }
  return entry;
}

async function sourceHash(dir: string): Promise<string> {
  // The checkout too: a build links that checkout's node_modules, and a build linking another
  // checkout's would load a second copy of @nestjs/core beside the test's (two Reflectors).
  const hash = createHash('sha256').update(ROOT);
  for (const file of (await listFiles(dir)).sort()) {
    hash.update(relative(dir, file)).update(await readFile(file));
  }
  return hash.digest('hex').slice(0, 16);
}

async function listFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(path)));
    else if (entry.name.endsWith('.ts')) files.push(path);
  }
  return files;
}
