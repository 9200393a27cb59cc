import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/*
 * The library as a user's app runs it: compiled (tsconfig.build.json) and loaded by plain Node,
 * not by Jest. Proves what Jest cannot: an app without MikroORM never loads @mikro-orm/*, and the
 * real @mikro-orm/nestjs (which Jest on Node 20 cannot load) gets every context watched.
 */
const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURES = fileURLToPath(new URL('./fixtures', import.meta.url));

let build: string;

beforeAll(async () => {
  build = await mkdtemp(join(tmpdir(), 'cache-page-build-'));
  await writeFile(join(build, 'package.json'), '{ "type": "module" }');
  await symlink(join(ROOT, 'node_modules'), join(build, 'node_modules'), 'dir');
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  await run(
    process.execPath,
    [
      tsc,
      '-p',
      'tsconfig.build.json',
      '--outDir',
      join(build, 'lib'),
      '--declaration',
      'false',
      '--sourceMap',
      'false',
    ],
    { cwd: ROOT },
  );
}, 60_000);

afterAll(async () => {
  await rm(build, { recursive: true, force: true });
});

async function runApp(fixture: string, env: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const { stdout } = await run(process.execPath, [join(FIXTURES, fixture)], {
    cwd: ROOT,
    env: { ...process.env, ...env, CACHE_PAGE_LIB: join(build, 'lib/index.js') },
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
}

describe('the compiled library in a plain Node process', () => {
  test('an app without MikroORM caches pages and never loads @mikro-orm/*', async () => {
    expect(await runApp('no-orm.app.mjs')).toEqual({
      responses: ['MISS No database here', 'HIT No database here'],
      loaded: [],
    });
  });

  test('with @mikro-orm/nestjs, the default and a named context are both watched', async () => {
    expect(await runApp('mikro-orm-nestjs.app.mjs')).toEqual({
      warm: ['MISS Tag news', 'HIT Tag news', 'MISS Product Mug', 'HIT Product Mug'],
      afterTagChange: ['MISS Tag headlines', 'HIT Product Mug'],
      afterProductChange: ['MISS Product Cup', 'HIT Tag headlines'],
      loadedMikroOrmCore: true,
    });
  });

  test.each(['express', 'fastify'])(
    "with @mikro-orm/nestjs's request-context middleware (%s), hits are answered before the framework: the middleware is known to be safe to skip",
    async (adapter) => {
      expect(await runApp('mikro-orm-request-context.app.mjs', { ADAPTER: adapter })).toEqual({
        responses: ['MISS Tag news', 'HIT Tag news', 'HIT Tag news'],
        fastHits: 2,
        requestContexts: 1,
      });
    },
  );
});
