/**
 * Presence in Redis, changed only by these Lua scripts so that join, drop,
 * leave, the grace's end and a dead instance's clean-up are each one atomic
 * step across instances (the participant cap holds under concurrent joins).
 *
 * Keys under the prefix P (see presenceKeys):
 * - P..'people:'..session  hash  userId -> person JSON (present, online or reconnecting)
 * - P..'sockets:'..session hash  socketId -> userId TAB instanceId
 * - P..'away:'..session    hash  userId -> when the grace ends (ms), while they have no socket
 * - P..'due'               zset  session TAB userId, scored by the grace's end
 * - P..'inst:'..instance   set   session TAB socketId, what an instance holds
 * - P..'instances'         set   instances that hold (or held) sockets
 * - P..'conns:'..instance  hash  userId -> open connections there (connections.ts)
 * Some scripts build keys from the prefix: one Redis server (not Redis
 * Cluster), which is what the deployment section asks for.
 */

const helpers = `
local function split(s)
  local tab = string.find(s, '\\t', 1, true)
  return string.sub(s, 1, tab - 1), string.sub(s, tab + 1)
end
local function hasSocket(socketsKey, uid)
  local p = uid .. '\\t'
  for _, v in ipairs(redis.call('HVALS', socketsKey)) do
    if string.sub(v, 1, #p) == p then return true end
  end
  return false
end
`;

/** KEYS: people sockets away due inst instances; ARGV: session user personJson socket instance cap. 1 first, 0 again, -1 full. */
export const JOIN = `
local isNew = redis.call('HEXISTS', KEYS[1], ARGV[2]) == 0
if isNew and redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[6]) then return -1 end
if isNew then redis.call('HSET', KEYS[1], ARGV[2], ARGV[3]) end
redis.call('HSET', KEYS[2], ARGV[4], ARGV[2] .. '\\t' .. ARGV[5])
redis.call('HDEL', KEYS[3], ARGV[2])
redis.call('ZREM', KEYS[4], ARGV[1] .. '\\t' .. ARGV[2])
redis.call('SADD', KEYS[5], ARGV[1] .. '\\t' .. ARGV[4])
redis.call('SADD', KEYS[6], ARGV[5])
if isNew then return 1 end
return 0
`;

/** KEYS: people sockets away due inst; ARGV: session user socket graceEnd. */
export const DROP = `${helpers}
redis.call('HDEL', KEYS[2], ARGV[3])
redis.call('SREM', KEYS[5], ARGV[1] .. '\\t' .. ARGV[3])
if redis.call('HEXISTS', KEYS[1], ARGV[2]) == 0 then return 'absent' end
if hasSocket(KEYS[2], ARGV[2]) then return 'still-here' end
redis.call('HSET', KEYS[3], ARGV[2], ARGV[4])
redis.call('ZADD', KEYS[4], ARGV[4], ARGV[1] .. '\\t' .. ARGV[2])
return 'reconnecting'
`;

/** KEYS: people sockets away due; ARGV: session user prefix. Returns { removed 0/1, people left }. */
export const LEAVE = `${helpers}
local removed = redis.call('HDEL', KEYS[1], ARGV[2])
redis.call('HDEL', KEYS[3], ARGV[2])
redis.call('ZREM', KEYS[4], ARGV[1] .. '\\t' .. ARGV[2])
local all = redis.call('HGETALL', KEYS[2])
for i = 1, #all, 2 do
  local uid, iid = split(all[i + 1])
  if uid == ARGV[2] then
    redis.call('HDEL', KEYS[2], all[i])
    redis.call('SREM', ARGV[3] .. 'inst:' .. iid, ARGV[1] .. '\\t' .. all[i])
  end
end
return { removed, redis.call('HLEN', KEYS[1]) }
`;

/** KEYS: due; ARGV: now prefix batch. Returns flat triples: session, user, people left. */
export const EXPIRE_DUE = `${helpers}
local out = {}
for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))) do
  redis.call('ZREM', KEYS[1], m)
  local sid, uid = split(m)
  local awayKey = ARGV[2] .. 'away:' .. sid
  local ends = redis.call('HGET', awayKey, uid)
  if ends and tonumber(ends) <= tonumber(ARGV[1]) and not hasSocket(ARGV[2] .. 'sockets:' .. sid, uid) then
    redis.call('HDEL', awayKey, uid)
    local peopleKey = ARGV[2] .. 'people:' .. sid
    redis.call('HDEL', peopleKey, uid)
    table.insert(out, sid)
    table.insert(out, uid)
    table.insert(out, redis.call('HLEN', peopleKey))
  end
end
return out
`;

/**
 * An instance that stopped (its heartbeat expired, or it restarts under the
 * same id): its sockets leave; people left without a socket start their grace.
 * KEYS: inst instances due; ARGV: instance graceEnd prefix. Returns the sessions touched.
 */
export const REAP = `${helpers}
local touched, seen = {}, {}
for _, m in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local sid, socketId = split(m)
  local socketsKey = ARGV[3] .. 'sockets:' .. sid
  local v = redis.call('HGET', socketsKey, socketId)
  if v then
    redis.call('HDEL', socketsKey, socketId)
    local uid = split(v)
    if redis.call('HEXISTS', ARGV[3] .. 'people:' .. sid, uid) == 1 and not hasSocket(socketsKey, uid) then
      redis.call('HSET', ARGV[3] .. 'away:' .. sid, uid, ARGV[2])
      redis.call('ZADD', KEYS[3], ARGV[2], sid .. '\\t' .. uid)
    end
    if not seen[sid] then
      seen[sid] = true
      table.insert(touched, sid)
    end
  end
end
redis.call('DEL', KEYS[1])
redis.call('DEL', ARGV[3] .. 'conns:' .. ARGV[1])
redis.call('SREM', KEYS[2], ARGV[1])
return touched
`;
