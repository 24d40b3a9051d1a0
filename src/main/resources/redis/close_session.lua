-- Closes a session atomically: both routing keys go, history (P, caller) is written for post-task routing,
-- in-use sets and pool usage are released, and the close is appended to the archive stream.
-- KEYS[1] session key. ARGV: prefix, nowMs, historyTtlMs, reason (closed|expired), archiveStream, expiry member
--   (orgId:taskId), archiveMaxlen[, driverToken, recipientToken]
-- The parties' keys are named by their tokens (storage/PartyKeys), kept in the record by open_session.lua. A record
-- without them was opened by a pod of the version that named keys by number (during a rolling update): it answers
-- 'legacy', and Java closes it again giving the tokens; its keys named by number are deleted then.
-- Returns 'missing' | 'already' | 'closed' | 'legacy'
local sessionKey = KEYS[1]
local prefix, now, historyTtl, reason, archiveStream = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4], ARGV[5]

local fields = redis.call('HGETALL', sessionKey)
if #fields == 0 then
  -- A record that expired on its own must not stay due in the expiry set, or the sweep would stall on it.
  redis.call('ZREM', prefix .. 'session-expiry', ARGV[6])
  return 'missing'
end
local s = {}
for i = 1, #fields, 2 do s[fields[i]] = fields[i + 1] end
if s.status == 'closed' then return 'already' end

local proxy = s.proxy
local legacy = not s.driverToken
local tokens = {DRIVER = s.driverToken or ARGV[8], RECIPIENT = s.recipientToken or ARGV[9]}
if proxy ~= '' and not (tokens.DRIVER and tokens.RECIPIENT) then return 'legacy' end
if proxy ~= '' then
  for role, phone in pairs({DRIVER = s.driver, RECIPIENT = s.recipient}) do
    local token = tokens[role]
    redis.call('DEL', prefix .. 'route:' .. proxy .. ':' .. token)
    local history = prefix .. 'hist:' .. proxy .. ':' .. token
    redis.call('HSET', history, 'orgId', s.orgId, 'taskId', s.taskId, 'role', role, 'closedAt', now)
    redis.call('PEXPIRE', history, historyTtl)
    redis.call('SREM', prefix .. 'busy:' .. token, proxy)
    if legacy then
      redis.call('DEL', prefix .. 'route:' .. proxy .. ':' .. phone)
      redis.call('SREM', prefix .. 'busy:' .. phone, proxy)
    end
  end
  if s.pool ~= '' and redis.call('ZSCORE', s.pool, proxy) then
    redis.call('ZINCRBY', s.pool, -1, proxy)
  end
  -- Sessions opened before sub-pools existed have no localTags.
  for tag in string.gmatch(s.localTags or '', '%S+') do
    local subPool = s.pool .. ':' .. tag
    if redis.call('ZSCORE', subPool, proxy) then
      redis.call('ZINCRBY', subPool, -1, proxy)
    end
  end
end

redis.call('HSET', sessionKey, 'status', 'closed', 'closedAt', now, 'closeReason', reason)
redis.call('PEXPIRE', sessionKey, historyTtl)
redis.call('ZREM', prefix .. 'session-expiry', ARGV[6])
redis.call('XADD', archiveStream, 'MAXLEN', '~', ARGV[7], '*', 'kind', 'session', 'action', 'close',
  'taskId', s.taskId, 'orgId', s.orgId, 'proxy', proxy, 'driver', s.driver, 'recipient', s.recipient, 'at', now, 'reason', reason)
return 'closed'
