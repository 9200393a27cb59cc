/** The few node-redis commands the benchmarks use. */
export interface RedisClient {
  info(section: string): Promise<string>;
  scanIterator(options: { MATCH: string; COUNT: number }): AsyncIterable<string | string[]>;
  unlink(keys: string[]): Promise<unknown>;
}

/**
 * Total commands Redis has processed, from `INFO commandstats`, per command name; and the size of
 * that reply, which Redis counts in its output bytes.
 */
export async function commandCounts(
  client: RedisClient,
): Promise<{ counts: Map<string, number>; replyBytes: number }> {
  const info = await client.info('commandstats');
  const counts = new Map<string, number>();
  for (const match of info.matchAll(/^cmdstat_(\w+(?:\|\w+)?):calls=(\d+)/gm))
    counts.set(match[1], Number(match[2]));
  return { counts, replyBytes: replySize(info) };
}

/** Bytes Redis has sent to all clients (`INFO stats` total_net_output_bytes), and that reply's size. */
export async function netOutputBytes(client: RedisClient): Promise<{ total: number; replyBytes: number }> {
  const info = await client.info('stats');
  const total = /^total_net_output_bytes:(\d+)/m.exec(info);
  if (!total) throw new Error('INFO stats has no total_net_output_bytes');
  return { total: Number(total[1]), replyBytes: replySize(info) };
}

/** A bulk-string reply on the wire: `$<length>\r\n<text>\r\n`. */
const replySize = (text: string): number => {
  const length = Buffer.byteLength(text);
  return length + String(length).length + 5;
};

/** Commands run between two snapshots, leaving out the INFO calls that took them. */
export function commandsBetween(
  before: Map<string, number>,
  after: Map<string, number>,
): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [name, calls] of after) {
    const diff = calls - (before.get(name) ?? 0) - (name === 'info' ? 1 : 0);
    if (diff > 0) delta[name] = diff;
  }
  return delta;
}

/** Deletes this run's keys by prefix (SCAN + UNLINK), never the whole database. */
export async function deleteKeys(client: RedisClient, keyPrefix: string): Promise<void> {
  for await (const batch of client.scanIterator({ MATCH: `*${keyPrefix}*`, COUNT: 1_000 })) {
    const keys = Array.isArray(batch) ? batch : [batch];
    if (keys.length > 0) await client.unlink(keys);
  }
}
