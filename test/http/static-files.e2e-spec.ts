import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compiledLibrary } from '../support/compiled-library.js';
import { ADAPTERS, type AdapterName } from './fixtures/create-pages-app.js';

/*
 * Static files (Express's useStaticAssets, @fastify/static) and Swagger UI are not Nest route
 * handlers: the cache neither stores nor serves them, on the interceptor path and on the fast
 * path, so a file changed on disk is sent as it is now, while the app's route next to them is
 * cached.
 */
const SCRIPT = fileURLToPath(new URL('./fixtures/static-site.mjs', import.meta.url));

interface Site {
  readonly child: ChildProcess;
  readonly url: string;
}

async function startSite(env: Record<string, string>): Promise<Site> {
  const child = spawn(process.execPath, [SCRIPT], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`static-site.mjs did not start:\n${output}`)), 30_000);
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /^ready (\S+)$/m.exec(output);
      if (ready) {
        clearTimeout(timer);
        resolve(ready[1]!);
      }
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    child.once('exit', (code) =>
      reject(new Error(`static-site.mjs exited with ${String(code)}:\n${output}`)),
    );
  });
  return { child, url };
}

async function get(site: Site, path: string) {
  const response = await fetch(`${site.url}${path}`);
  return { status: response.status, cache: response.headers.get('x-cache'), text: await response.text() };
}

describe.each(ADAPTERS)('static files, on %s', (adapter: AdapterName) => {
  let library: string;
  let dir: string;
  let site: Site | undefined;
  beforeAll(async () => {
    library = await compiledLibrary();
    dir = await mkdtemp(join(tmpdir(), 'cache-page-static-'));
  }, 120_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  afterEach(() => {
    site?.child.kill();
    site = undefined;
  });

  test.each([false, 'auto', true] as const)(
    'a file changed on disk is served as it is now, Swagger UI untouched (fastPath: %s)',
    async (fastPath) => {
      site = await startSite({
        CACHE_PAGE_LIB: library,
        ADAPTER: adapter,
        FAST_PATH: fastPath === 'auto' ? 'auto' : fastPath ? '1' : '0',
        STATIC_DIR: dir,
      });
      const file = `site-${String(fastPath)}.css`;
      await writeFile(join(dir, file), 'body { color: red }');
      expect(await get(site, `/assets/${file}`)).toEqual({
        status: 200,
        cache: null,
        text: 'body { color: red }',
      });

      await writeFile(join(dir, file), 'body { color: blue }');
      expect(await get(site, `/assets/${file}`)).toEqual({
        status: 200,
        cache: null,
        text: 'body { color: blue }',
      });

      // Swagger UI and its document are served by the framework, as without the cache.
      for (let i = 0; i < 2; i++) {
        const ui = await get(site, '/docs');
        expect([ui.status, ui.cache]).toEqual([200, null]);
        expect(ui.text).toContain('swagger');
        const json = await get(site, '/docs-json');
        expect([json.status, json.cache]).toEqual([200, null]);
        expect(JSON.parse(json.text).paths).toHaveProperty('/');
      }

      // The route next to the files is cached as usual: its handler ran once for two requests.
      expect(await get(site, '/')).toEqual({ status: 200, cache: 'MISS', text: 'home call 1' });
      expect(await get(site, '/')).toEqual({ status: 200, cache: 'HIT', text: 'home call 1' });
      // Static files and Swagger UI are safe to skip: the hit was answered before the framework.
      expect((await get(site, '/fast-hits')).text).toBe(`fast hits ${fastPath === false ? 0 : 1}`);
    },
    60_000,
  );
});
