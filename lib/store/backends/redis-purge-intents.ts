import type { PurgeIntent, PurgeIntentLog } from './page-backend.js';

/**
 * Purge intents in one Redis hash (`<prefix>edge-intents`: intent id → `{"w": writer, "k": keys}`).
 * Recording also marks the writer alive, atomically, so an intent is never claimed before its
 * writer's heartbeat could start; claiming is atomic, so two instances never both take one.
 */
export class RedisPurgeIntents implements PurgeIntentLog {
  constructor(
    private readonly command: (args: string[]) => Promise<unknown>,
    private readonly hashKey: string,
    private readonly writerPrefix: string,
    private readonly livenessMs: number,
  ) {}

  async record({ id, keys }: PurgeIntent, writer: string): Promise<void> {
    const value = JSON.stringify({ w: writer, k: keys });
    await this.command([
      'EVAL',
      RECORD_SCRIPT,
      '1',
      this.hashKey,
      this.writerPrefix + writer,
      String(this.livenessMs),
      id,
      value,
    ]);
  }

  async clear(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.command(['HDEL', this.hashKey, ...ids]);
  }

  async claim(writer: string): Promise<readonly PurgeIntent[]> {
    const claimed = (await this.command([
      'EVAL',
      CLAIM_SCRIPT,
      '1',
      this.hashKey,
      this.writerPrefix,
      writer,
      String(this.livenessMs),
    ])) as string[];
    const intents: PurgeIntent[] = [];
    for (let i = 0; i + 1 < claimed.length; i += 2) {
      const keys = parseKeys(claimed[i + 1]!);
      if (keys) intents.push({ id: claimed[i]!, keys });
    }
    return intents;
  }
}

function parseKeys(value: string): string[] | undefined {
  try {
    const keys = (JSON.parse(value) as { k?: unknown }).k;
    return Array.isArray(keys) && keys.every((key) => typeof key === 'string') ? keys : undefined;
  } catch {
    return undefined;
  }
}

// KEYS: the hash. ARGV: the writer's liveness key, liveness ms, intent id, intent value.
const RECORD_SCRIPT = `
redis.call('SET', ARGV[1], '1', 'PX', tonumber(ARGV[2]))
redis.call('HSET', KEYS[1], ARGV[3], ARGV[4])
return 1
`;

// KEYS: the hash. ARGV: writer key prefix, this writer, liveness ms. Returns [id, value, …] claimed.
const CLAIM_SCRIPT = `
local prefix, me, liveness = ARGV[1], ARGV[2], tonumber(ARGV[3])
local all = redis.call('HGETALL', KEYS[1])
local claimed = {}
for i = 1, #all, 2 do
  local ok, intent = pcall(cjson.decode, all[i + 1])
  if not ok or type(intent) ~= 'table' or type(intent.w) ~= 'string' or type(intent.k) ~= 'table' then
    redis.call('HDEL', KEYS[1], all[i])
  elseif intent.w ~= me and redis.call('EXISTS', prefix .. intent.w) == 0 then
    local value = cjson.encode({ w = me, k = intent.k })
    redis.call('HSET', KEYS[1], all[i], value)
    claimed[#claimed + 1] = all[i]
    claimed[#claimed + 1] = value
  end
end
if #claimed > 0 then redis.call('SET', prefix .. me, '1', 'PX', liveness) end
return claimed
`;
