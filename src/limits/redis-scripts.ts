/**
 * The Lua run by Redis, so that one round trip checks and charges every counter of a request atomically
 * (a script runs alone: two replicas can never both take the last unit of one limit).
 */

/** A script's text and its SHA1, under which Redis caches it for EVALSHA. */
export interface Script {
  text: string;
  sha: string;
}

function script(text: string): Script {
  return { text, sha: new Bun.CryptoHasher('sha1').update(text).digest('hex') };
}

/**
 * KEYS: per charge, the previous and the current fixed window's counter, then the counters to correct.
 * ARGV: the number of charges; per charge, the limit, the amount, the previous window's weight and the
 * counter's lifetime in ms; then the delta of each correction (applied first, as ADJUST does: corrections
 * ride along with the next check instead of costing a round trip of their own). Returns {rejected (1-based,
 * 0 when all were charged), prev1, curr1, prev2, curr2, ...}. The arithmetic is `fits` in windows.ts.
 */
export const CHECK_AND_CHARGE = script(`
local n = tonumber(ARGV[1])
for j = 2 * n + 1, #KEYS do
  if redis.call('EXISTS', KEYS[j]) == 1 then
    local v = redis.call('INCRBY', KEYS[j], ARGV[1 + 4 * n + j - 2 * n])
    if v < 0 then redis.call('SET', KEYS[j], 0, 'KEEPTTL') end
  end
end
local out = {0}
local values = redis.call('MGET', unpack(KEYS, 1, 2 * n))
for i = 1, n do
  local prev = tonumber(values[2 * i - 1]) or 0
  local curr = tonumber(values[2 * i]) or 0
  out[2 * i] = prev
  out[2 * i + 1] = curr
  local limit = tonumber(ARGV[4 * i - 2])
  local amount = tonumber(ARGV[4 * i - 1])
  local weight = tonumber(ARGV[4 * i])
  if out[1] == 0 and prev * weight + curr + amount > limit then out[1] = i end
end
if out[1] ~= 0 then return out end
for i = 1, n do
  local amount = tonumber(ARGV[4 * i - 1])
  if amount > 0 then
    out[2 * i + 1] = redis.call('INCRBY', KEYS[2 * i], amount)
    redis.call('PEXPIRE', KEYS[2 * i], ARGV[4 * i + 1])
  end
end
return out
`);

/**
 * KEYS: counters to correct; ARGV: the delta for each. A counter that has expired stays gone (its window
 * has slid out), and none goes below 0.
 */
export const ADJUST = script(`
for i = 1, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    local v = redis.call('INCRBY', KEYS[i], ARGV[i])
    if v < 0 then redis.call('SET', KEYS[i], 0, 'KEEPTTL') end
  end
end
return 0
`);

/** KEYS: counters to read (a plain MGET, but run like the others: same timeout, same reconnection). */
export const READ = script(`return redis.call('MGET', unpack(KEYS))`);
