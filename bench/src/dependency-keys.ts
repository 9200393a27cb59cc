import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CachePageService } from 'nestjs-cache-page';
import { PageClient } from './page-client.js';
import { createSampleApp } from './sample-server.js';

/** One page of the sample as `page-cache-auto` stores it. */
export interface PageDependencies {
  readonly path: string;
  /** The route pattern `stats()` reports it under. */
  readonly route: string;
  /** Its dependency keys (besides its path's epoch and the global one), from `stats()`. */
  readonly keys: number;
  /** The entity classes its render read. */
  readonly classes: readonly string[];
  /** Pages of the route that fell back to whole classes (past the cap of keys). */
  readonly coarse: number;
}

/**
 * Renders each of `paths` once, in order, in the sample blog with `dependencies: 'auto'` for every
 * page (in this process, on a fresh database), and reads from `stats()` what the stored page
 * depends on: a hit checks that many keys more than a declared page's in its multi-get.
 */
export async function dependencyKeys(paths: readonly string[]): Promise<PageDependencies[]> {
  const folder = mkdtempSync(join(tmpdir(), 'bench-keys-'));
  const config = {
    port: 0,
    adapter: 'express' as const,
    database: { kind: 'sqlite', file: join(folder, 'blog.sqlite') },
    publicUrl: 'http://localhost',
  };
  const app = await createSampleApp('page-cache-auto', config);
  try {
    await app.listen(0, '127.0.0.1');
    const client = new PageClient(
      `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`,
    );
    const found: PageDependencies[] = [];
    const cachePage = app.get(CachePageService);
    for (const path of paths) {
      const response = await client.get(path);
      if (response.status !== 200 || response.cache !== 'MISS')
        throw new Error(`GET ${path}: ${response.status} ${response.cache}, expected a 200 MISS`);
      const routes = cachePage.stats().routes;
      const route = Object.keys(routes).find((name) => routeMatches(name, path));
      const dependencies = route ? routes[route].dependencies : undefined;
      if (!route || !dependencies) throw new Error(`GET ${path}: no auto-mode route in stats()`);
      found.push({ path, route, ...dependencies });
    }
    client.close();
    return found;
  } finally {
    await app.close();
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Whether a route pattern (`GET /posts/:slug`) matches a path (`/posts/hello`). */
function routeMatches(route: string, path: string): boolean {
  const pattern = route.replace(/^GET /, '').replace(/:[^/]+/g, '[^/]+');
  return new RegExp(`^${pattern}$`).test(path.split('?')[0]);
}
