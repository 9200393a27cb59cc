import type { InvalidationFeed } from './page-backend.js';

/** The invalidation feed as a Redis sorted set (member: epoch key, score: when, ms). */
export class RedisInvalidationFeed implements InvalidationFeed {
  constructor(
    private readonly command: (key: string, args: string[]) => Promise<unknown>,
    /** The physical key for a logical feed key (a Redis Cluster puts it in one bucket). */
    private readonly physical: (key: string) => string = (key) => key,
  ) {}

  async append(
    key: string,
    entries: ReadonlyArray<readonly [epochKey: string, at: number]>,
    keepMs: number,
  ): Promise<void> {
    if (entries.length === 0) return;
    const feed = this.physical(key);
    const members = entries.flatMap(([epochKey, at]) => [String(at), epochKey]);
    await this.command(feed, ['ZADD', feed, ...members]);
    await this.command(feed, ['ZREMRANGEBYSCORE', feed, '-inf', `(${Date.now() - keepMs}`]);
  }

  async since(key: string, since: number): Promise<Array<readonly [string, number]>> {
    const feed = this.physical(key);
    const flat = (await this.command(feed, ['ZRANGEBYSCORE', feed, String(since), '+inf', 'WITHSCORES'])) as
      unknown[] | null;
    const entries: Array<readonly [string, number]> = [];
    for (let i = 0; flat && i + 1 < flat.length; i += 2) entries.push([String(flat[i]), Number(flat[i + 1])]);
    return entries;
  }
}
