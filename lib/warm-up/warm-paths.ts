import { requestPage, type AppAddress, type WarmAnswer } from './warm-request.js';

/** What `CachePageService.warm()` did for one path. */
export interface WarmResult {
  readonly path: string;
  readonly status: 'stored' | 'skipped' | 'failed';
  /** Why it was skipped or failed. */
  readonly reason?: string;
}

/** How often, and how far apart, a warmed page is looked for in the store after its render, ms. */
const STORED_CHECKS = 20;
const STORED_CHECK_MS = 25;

/**
 * Requests each path from the app (`concurrency` at once) as an anonymous visitor of `origin`,
 * and reports what became of it; never rejects for one path.
 */
export async function warmPaths(
  address: AppAddress,
  origin: string,
  paths: readonly string[],
  concurrency: number,
): Promise<WarmResult[]> {
  const results: WarmResult[] = new Array(paths.length);
  let next = 0;
  const worker = async () => {
    while (next < paths.length) {
      const index = next++;
      results[index] = await warmOne(address, origin, paths[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, paths.length) }, worker));
  return results;
}

async function warmOne(address: AppAddress, origin: string, path: string): Promise<WarmResult> {
  let answer: WarmAnswer;
  try {
    answer = await requestPage(address, origin, path);
  } catch (error) {
    return { path, status: 'failed', reason: error instanceof Error ? error.message : String(error) };
  }
  if (answer.status >= 500) return { path, status: 'failed', reason: `the app answered ${answer.status}` };
  if (answer.cache === 'HIT') return { path, status: 'skipped', reason: 'already cached' };
  if (answer.cache === 'STALE')
    return { path, status: 'skipped', reason: 'another request is refreshing it' };
  if (answer.cache !== 'MISS') {
    return {
      path,
      status: 'skipped',
      reason: `not cached (answered ${answer.status} without X-Cache: an ignored path, @NoCachePage(), or the store is down)`,
    };
  }
  // The page is stored after its response went out: look for it with HEAD, which a stored page answers.
  for (let check = 0; check < STORED_CHECKS; check++) {
    const head = await requestPage(address, origin, path, 'HEAD').catch(() => undefined);
    if (head?.cache === 'HIT') return { path, status: 'stored' };
    await new Promise((resolve) => setTimeout(resolve, STORED_CHECK_MS));
  }
  return {
    path,
    status: 'skipped',
    reason: `rendered (${answer.status}) but not stored: a personal page, or a status or response the cache does not keep`,
  };
}
