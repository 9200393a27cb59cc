import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFile, execFileSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, rename, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/*
 * The packed tarball, installed by name, in a plain Node process that both require()s and
 * imports it (what a CommonJS Nest app with one ES module does). The package must have one
 * identity there: one file, one CachePageService, one set of metadata keys and tokens.
 */
const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURES = fileURLToPath(new URL('./fixtures', import.meta.url));

interface OneCopyReport {
  requireResolves: string;
  importResolves: string;
  sameNamespace: boolean;
  cached: (string | null)[];
  uncached: (string | null)[];
  calls: { page: number; never: number };
}

/** This Node, and any listed in CACHE_PAGE_EXTRA_NODES (CI adds the `engines` floors). */
const NODES = [
  process.execPath,
  ...(process.env.CACHE_PAGE_EXTRA_NODES ?? '').split(delimiter).filter(Boolean),
].map((binary) => ({
  binary,
  version: execFileSync(binary, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim(),
}));

let app: string;
const reports = new Map<string, OneCopyReport>();

/** npm pack (which builds), then the tarball under node_modules beside the repo's own packages. */
async function installPackedTarball(dir: string): Promise<void> {
  const packs = join(dir, 'packs');
  await mkdir(packs);
  await run('npm', ['pack', '--silent', '--pack-destination', packs], { cwd: ROOT });
  const [tarball] = await readdir(packs);
  const modules = join(dir, 'node_modules');
  await mkdir(modules);
  await run('tar', ['-xzf', join(packs, tarball!), '-C', modules]);
  await rename(join(modules, 'package'), join(modules, 'nestjs-cache-page'));
  for (const name of await readdir(join(ROOT, 'node_modules'))) {
    if (name.startsWith('.') || name === 'nestjs-cache-page') continue;
    await symlink(join(ROOT, 'node_modules', name), join(modules, name), 'dir');
  }
}

beforeAll(async () => {
  app = await mkdtemp(join(tmpdir(), 'cache-page-one-copy-'));
  await installPackedTarball(app);
  for (const fixture of ['one-copy.app.cjs', 'one-copy.controller.mjs']) {
    await copyFile(join(FIXTURES, fixture), join(app, fixture));
  }
  for (const { binary, version } of NODES) {
    const { stdout } = await run(binary, ['one-copy.app.cjs'], { cwd: app });
    reports.set(version, JSON.parse(stdout.trim().split('\n').at(-1)!) as OneCopyReport);
  }
}, 120_000);

afterAll(async () => {
  await rm(app, { recursive: true, force: true });
});

describe.each(NODES)(
  'the packed package, required and imported in one process (Node $version)',
  ({ version }) => {
    let report: OneCopyReport;
    beforeAll(() => {
      report = reports.get(version)!;
    });

    test('require() and import resolve to the same file: the ESM build', () => {
      const esmBuild = join('node_modules', 'nestjs-cache-page', 'dist', 'index.js');
      expect(report.requireResolves).toBe(esmBuild);
      expect(report.importResolves).toBe(esmBuild);
      expect(report.sameNamespace).toBe(true);
    });

    test('the module registered through require() serves a controller that imported the package', () => {
      // CachePageService injected by the imported class, invalidating a page the required module cached.
      expect(report.cached).toEqual(['MISS', 'HIT', 'MISS']);
      expect(report.calls.page).toBe(2);
      // @NoCachePage() from the import is honoured by the required interceptor.
      expect(report.uncached).toEqual([null, null]);
      expect(report.calls.never).toBe(2);
    });
  },
);

/** The package's run-time exports, as lib/index.ts lists them (its types are checked by tsc). */
const PUBLIC_NAMES = [
  'CACHE_PAGE_METADATA',
  'CACHE_PAGE_MODULE_OPTIONS',
  'CACHE_STATUS_HEADER',
  'CachePage',
  'CachePageHealthIndicator',
  'CachePageInterceptor',
  'CachePageModule',
  'CachePageService',
  'CloudflarePurger',
  'DEPENDENT_PATHS_METADATA',
  'DependentPaths',
  'EdgePurgeError',
  'FastlyPurger',
  'NO_CACHE_PAGE_METADATA',
  'NoCachePage',
  'PAGE_FRAGMENT_METADATA',
  'PageFragment',
  'VarnishPurger',
  'pageFragment',
  'pagePath',
  'pagePaths',
  'pageRoute',
];

describe('the public surface of the packed package', () => {
  const namesOf = async (source: string) => {
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', source], { cwd: app });
    return JSON.parse(stdout) as string[];
  };

  test('import() and require() give exactly the documented names, the CommonJS build too', async () => {
    const imported = await namesOf(
      "const m = await import('nestjs-cache-page'); console.log(JSON.stringify(Object.keys(m).sort()))",
    );
    const required = await namesOf(
      "import { createRequire } from 'node:module'; const m = createRequire(import.meta.url)('nestjs-cache-page');" +
        " console.log(JSON.stringify(Object.keys(m).filter((k) => k !== '__esModule' && k !== 'module.exports').sort()))",
    );
    const cjsBuild = await namesOf(
      "import { createRequire } from 'node:module'; const m = createRequire(import.meta.url)('./node_modules/nestjs-cache-page/dist/index.cjs');" +
        " console.log(JSON.stringify(Object.keys(m).filter((k) => k !== '__esModule').sort()))",
    );
    expect(imported).toEqual(PUBLIC_NAMES);
    expect(required).toEqual(PUBLIC_NAMES);
    expect(cjsBuild).toEqual(PUBLIC_NAMES);
  });
});
