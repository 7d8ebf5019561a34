/**
 * The Lua scripts of `RedisMatchStore`. Each runs atomically in Redis, so a check and the
 * write it guards cannot be separated by another process's write.
 *
 * Keys of one match (prefix `p`, room `r`): `p:match:r:lease` (owner's process id, PX expiry),
 * `p:match:r:claim` (claimer's process id, PX expiry), `p:match:r:meta` (hash: `record` = the
 * match as JSON, `first` = the journal's first frame, `snapshot` = the latest verified
 * snapshot as JSON, `broken` = why it must not be resumed),
 * `p:match:r:frames` (list: element i is frame `first + i`); `p:matches`, the set of
 * active match ids; and `p:replays`, the set of ended matches whose replay (`replay` in the
 * meta hash: its header as JSON) is not in the database yet.
 */

/**
 * The fencing rule, shared by every write (KEYS[1] = lease, KEYS[2] = claim, ARGV[1] = owner,
 * ARGV[2] = lease TTL in ms): the write goes ahead if the lease is the owner's (it is
 * extended), or if no lease is alive and nobody else has claimed the match (the owner takes
 * the lease, and drops its own claim: the claim only covers the time to resume).
 */
const ACQUIRE = `
local function acquire()
  local holder = redis.call('GET', KEYS[1])
  if holder then
    if holder ~= ARGV[1] then return false end
  else
    local claimer = redis.call('GET', KEYS[2])
    if claimer and claimer ~= ARGV[1] then return false end
    if claimer then redis.call('DEL', KEYS[2]) end
  end
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return true
end
`;

/** A Lua script and how many of its arguments are keys. */
export interface JournalScript {
  readonly numberOfKeys: number;
  readonly lua: string;
}

/**
 * Stores frames by number. KEYS: lease, claim, meta, frames. ARGV: owner, ttl, number of the
 * first frame given, then the frames' bytes. Frames already stored must be identical
 * (re-storing is idempotent, a retry after a timeout is harmless); a first frame past the
 * journal's end is refused (it would leave a hole); the rest are appended.
 * Returns `{stored, last frame}`, `{fenced}`, `{missing}`, `{behind, next frame}` or `{conflict, frame}`.
 */
export const STORE_FRAMES: JournalScript = {
  numberOfKeys: 4,
  lua: `${ACQUIRE}
if not acquire() then return {'fenced'} end
local first = redis.call('HGET', KEYS[3], 'first')
if not first then return {'missing'} end
first = tonumber(first)
local from = tonumber(ARGV[3])
local count = #ARGV - 3
local nextFrame = first + redis.call('LLEN', KEYS[4])
if from > nextFrame then return {'behind', nextFrame} end
local overlapFrom = math.max(from, first)
local overlapTo = math.min(from + count, nextFrame) - 1
if overlapTo >= overlapFrom then
  local stored = redis.call('LRANGE', KEYS[4], overlapFrom - first, overlapTo - first)
  for i = 1, #stored do
    if stored[i] ~= ARGV[3 + overlapFrom - from + i] then return {'conflict', overlapFrom + i - 1} end
  end
end
local skip = nextFrame - from
if skip < count then redis.call('RPUSH', KEYS[4], unpack(ARGV, 4 + skip, 3 + count)) end
return {'stored', first + redis.call('LLEN', KEYS[4]) - 1}
`,
};

/**
 * Starts or rebuilds a journal. KEYS: lease, claim, meta, frames, active set. ARGV: owner,
 * ttl, room id, record JSON, first frame. Returns `{ok}` or `{fenced}`.
 */
export const OPEN_JOURNAL: JournalScript = {
  numberOfKeys: 5,
  lua: `${ACQUIRE}
if not acquire() then return {'fenced'} end
redis.call('DEL', KEYS[3], KEYS[4])
redis.call('HSET', KEYS[3], 'record', ARGV[4], 'first', ARGV[5])
redis.call('SADD', KEYS[5], ARGV[3])
return {'ok'}
`,
};

/**
 * Replaces the record of an existing journal. KEYS: lease, claim, meta, active set. ARGV:
 * owner, ttl, room id, record JSON. Returns `{ok}`, `{fenced}` or `{missing}` (it never
 * creates a record without its first frame).
 */
export const SAVE_RECORD: JournalScript = {
  numberOfKeys: 4,
  lua: `${ACQUIRE}
if not acquire() then return {'fenced'} end
if redis.call('HEXISTS', KEYS[3], 'first') == 0 then return {'missing'} end
redis.call('HSET', KEYS[3], 'record', ARGV[4])
redis.call('SADD', KEYS[4], ARGV[3])
return {'ok'}
`,
};

/**
 * Replaces the match's latest verified snapshot (`snapshot` in the meta hash, as JSON). KEYS:
 * lease, claim, meta. ARGV: owner, ttl, snapshot JSON. Returns `{ok}`, `{fenced}` or `{missing}`.
 */
export const SAVE_SNAPSHOT: JournalScript = {
  numberOfKeys: 3,
  lua: `${ACQUIRE}
if not acquire() then return {'fenced'} end
if redis.call('HEXISTS', KEYS[3], 'first') == 0 then return {'missing'} end
redis.call('HSET', KEYS[3], 'snapshot', ARGV[3])
return {'ok'}
`,
};

/**
 * Renews or takes the lease, and says whether the record still exists. KEYS: lease, claim,
 * meta. ARGV: owner, ttl. Returns `{held 0/1, record exists 0/1}`.
 */
export const RENEW_LEASE: JournalScript = {
  numberOfKeys: 3,
  lua: `${ACQUIRE}
local held = 0
if acquire() then held = 1 end
return {held, redis.call('HEXISTS', KEYS[3], 'first')}
`,
};

/**
 * Ends a journal: no longer active, no lease or claim, data kept for a while. KEYS: lease,
 * claim, meta, frames, active set, pending replays set. ARGV: owner, ttl, room id, seconds to
 * keep the data (0: drop it now), why it must not be resumed ('' if it ended normally; recorded
 * only in a record of this layout), the replay's header as JSON ('' if no replay is kept: else
 * the match joins the pending replays), when the match ended (ISO, kept apart from the header so
 * that a scan reads a few bytes, not a header that may carry a megabyte of snapshots). Returns
 * `{ok}` or `{fenced}`.
 */
export const RETIRE: JournalScript = {
  numberOfKeys: 6,
  lua: `${ACQUIRE}
if not acquire() then return {'fenced'} end
redis.call('SREM', KEYS[5], ARGV[3])
if ARGV[6] ~= '' and redis.call('TYPE', KEYS[3]).ok == 'hash' then
  redis.call('HSET', KEYS[3], 'replay', ARGV[6], 'replay_ended', ARGV[7])
  redis.call('SADD', KEYS[6], ARGV[3])
end
redis.call('DEL', KEYS[1], KEYS[2])
if ARGV[5] ~= '' and redis.call('TYPE', KEYS[3]).ok == 'hash' then redis.call('HSET', KEYS[3], 'broken', ARGV[5]) end
local retain = tonumber(ARGV[4])
if retain > 0 then
  redis.call('EXPIRE', KEYS[3], retain)
  redis.call('EXPIRE', KEYS[4], retain)
else
  redis.call('DEL', KEYS[3], KEYS[4])
end
return {'ok'}
`,
};

/**
 * Deletes a finished match's record and frames (its replay is stored, or lost), never an active
 * one's. KEYS: active set, meta, frames, pending replays set. ARGV: room id. Returns 1 if
 * removed, 0 if the match is active.
 */
export const REMOVE: JournalScript = {
  numberOfKeys: 4,
  lua: `
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 0 end
redis.call('DEL', KEYS[2], KEYS[3])
redis.call('SREM', KEYS[4], ARGV[1])
return 1
`,
};

/**
 * Claims an orphaned match, only while it is active and no lease is alive. KEYS: lease, claim,
 * active set. ARGV: claimer, ttl, room id. Returns 1 or 0. A match that ended between a scan's
 * listing and its claim has no lease either: without the active check it would be resumed.
 */
export const CLAIM: JournalScript = {
  numberOfKeys: 3,
  lua: `
if redis.call('SISMEMBER', KEYS[3], ARGV[3]) == 0 then return 0 end
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
if redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2], 'NX') then return 1 end
return 0
`,
};

/** Drops the lease if it is the caller's. KEYS: lease. ARGV: owner. Returns 1 if dropped. */
export const RELEASE_LEASE: JournalScript = {
  numberOfKeys: 1,
  lua: `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`,
};
