/**
 * Every epoch write of the Redis store, atomic per call, so concurrent writers and readers can
 * never undo each other's leases (a read-then-write from Node could).
 *
 * KEYS: epoch keys. ARGV: mode, writer key prefix, this process's writer id, liveness ms, epoch
 * ttl ms (0 = none), now (ms, base 36; empty: record no change), then one fresh token per key,
 * then (`settle` only) one flag per key: `1` when this process still holds another lease on the
 * key, `0` otherwise. Returns each key's value after the call.
 *
 * - `create`: sets the token where the key is missing.
 * - `lease`: marks this writer alive for `liveness` ms and sets `~<token>:<live writers + me>`.
 * - `settle`: a fresh token; this writer leaves the lease unless its flag says it holds another;
 *   once no live writer is left, the token is plain.
 * - `heal`: a lease whose writers are all dead becomes a fresh plain token.
 *
 * `lease` and `settle` record the change in the token as `renewedEpochToken` does (grace).
 *
 * A writer is alive while its key `<writer prefix><id>` exists (it renews it while it holds leases).
 */
export const EPOCH_SCRIPT = `
local mode, writerPrefix, me = ARGV[1], ARGV[2], ARGV[3]
local liveness, ttl, now = tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6]
local count = #KEYS

local function writersOf(value)
  if not value or string.sub(value, 1, 1) ~= '~' then return nil end
  local writers = {}
  local colon = string.find(value, ':', 2, true)
  if colon then
    for writer in string.gmatch(string.sub(value, colon + 1), '[^,]+') do writers[#writers + 1] = writer end
  end
  return writers
end

local function alive(writers, without)
  local kept = {}
  for _, writer in ipairs(writers) do
    if writer ~= without and redis.call('EXISTS', writerPrefix .. writer) == 1 then kept[#kept + 1] = writer end
  end
  return kept
end

local function store(key, value)
  if ttl > 0 then redis.call('SET', key, value, 'PX', ttl) else redis.call('SET', key, value) end
  return value
end

local function changeOf(value)
  if now == '' or not value then return '' end
  if string.sub(value, 1, 1) == '~' then
    local own = string.sub(value, 2)
    local colon = string.find(own, ':', 1, true)
    if colon then own = string.sub(own, 1, colon - 1) end
    local dot = string.find(own, '.', 1, true)
    if dot then return string.sub(own, dot) end
    return ''
  end
  local dot = string.find(value, '.', 1, true)
  if dot then value = string.sub(value, 1, dot - 1) end
  return '.' .. value .. '.' .. now
end

local function leased(token, writers)
  if #writers == 0 then return token end
  return '~' .. token .. ':' .. table.concat(writers, ',')
end

if mode == 'lease' then redis.call('SET', writerPrefix .. me, '1', 'PX', liveness) end

local result = {}
for i, key in ipairs(KEYS) do
  local token = ARGV[6 + i]
  local value = redis.call('GET', key)
  local writers = writersOf(value)
  if mode == 'create' then
    if not value then value = store(key, token) end
  elseif mode == 'lease' then
    local kept = alive(writers or {}, me)
    kept[#kept + 1] = me
    value = store(key, leased(token .. changeOf(value), kept))
  elseif mode == 'settle' then
    local kept = alive(writers or {}, me)
    if ARGV[6 + count + i] == '1' then kept[#kept + 1] = me end
    value = store(key, leased(token .. changeOf(value), kept))
  elseif mode == 'heal' then
    if writers and #alive(writers, nil) == 0 then value = store(key, token) end
  end
  result[i] = value or false
end
return result
`;
