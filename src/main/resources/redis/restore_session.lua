-- Puts one durable session (Postgres) back into a Redis that lost its data: an open session gets its routing keys,
-- in-use sets, pool usage, record and expiry entry; a closed one its history keys and record, for what is left of
-- the history TTL. Does nothing when the session's record is there (restored already, or never lost), so any
-- number of pods may restore at once. No archive event: the session's open and close were archived when they
-- happened.
-- With rebuild = 1 (the keys named after people were dropped to be named anew: RedisDataWatch), a record that is
-- there keeps its state and pool usage, takes the parties' tokens, and gets its routing keys (open) or history keys
-- (closed) again under them.
-- KEYS[1] session key. ARGV: prefix, taskId, orgId, driver, recipient, proxy ('' if none), poolKey ('' if none),
--   variablesJson, openedAtMs, expiresAtMs, keyTtlMs, anonymized (1/0), closedAtMs ('' while open), closeReason,
--   driverToken, recipientToken (storage/PartyKeys; '' for a party anonymized since: no key names them), rebuild (1/0)
-- Returns 1 restored | 2 renamed (rebuild) | 0 present
local sessionKey = KEYS[1]
local prefix, taskId, orgId, driver, recipient, proxy, pool = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]
local variables, openedAt, expiresAt, keyTtl, anonymized = ARGV[8], ARGV[9], ARGV[10], tonumber(ARGV[11]), ARGV[12]
local closedAt, closeReason = ARGV[13], ARGV[14]
local tokens = {DRIVER = ARGV[15], RECIPIENT = ARGV[16]}
local rebuild = ARGV[17] == '1'

local present = redis.call('EXISTS', sessionKey) == 1
if present and not rebuild then return 0 end

local open = closedAt == ''
if present then
  -- The record is the live state: a close that reached Redis but not yet Postgres counts.
  local state = redis.call('HMGET', sessionKey, 'status', 'closedAt')
  if state[1] then open = state[1] == 'open' end
  if state[2] then closedAt = state[2] end
  redis.call('HSET', sessionKey, 'driverToken', tokens.DRIVER, 'recipientToken', tokens.RECIPIENT)
else
  redis.call('HSET', sessionKey, 'taskId', taskId, 'orgId', orgId, 'driver', driver, 'recipient', recipient,
    'driverToken', tokens.DRIVER, 'recipientToken', tokens.RECIPIENT,
    'proxy', proxy, 'pool', pool, 'variables', variables, 'openedAt', openedAt, 'expiresAt', expiresAt, 'anonymized', anonymized)
end

if open then
  if proxy ~= '' then
    for role, token in pairs(tokens) do
      local counterpartRole = role == 'DRIVER' and 'RECIPIENT' or 'DRIVER'
      local counterpart = role == 'DRIVER' and recipient or driver
      if token ~= '' then
        local route = prefix .. 'route:' .. proxy .. ':' .. token
        redis.call('HSET', route, 'orgId', orgId, 'taskId', taskId, 'role', role, 'counterpart', counterpart,
          'counterpartToken', tokens[counterpartRole], 'variables', variables)
        redis.call('PEXPIRE', route, keyTtl)
        redis.call('SADD', prefix .. 'busy:' .. token, proxy)
      end
    end
    if pool ~= '' and not present then
      redis.call('ZINCRBY', pool, 1, proxy)
      -- The number's sub-pools count its sessions too (open_session.lua); numbers are re-mirrored before this runs.
      local localTags = redis.call('HGET', prefix .. 'num:' .. proxy, 'localTags') or ''
      for tag in string.gmatch(localTags, '%S+') do
        redis.call('ZINCRBY', pool .. ':' .. tag, 1, proxy)
      end
      redis.call('HSET', sessionKey, 'localTags', localTags)
    end
  end
  if not present then
    redis.call('HSET', sessionKey, 'status', 'open')
    redis.call('ZADD', prefix .. 'session-expiry', expiresAt, orgId .. ':' .. taskId)
  end
else
  if proxy ~= '' then
    for role, token in pairs(tokens) do
      local history = prefix .. 'hist:' .. proxy .. ':' .. token
      -- Closed sessions are restored newest first: an older one never overwrites a newer history.
      if token ~= '' and redis.call('EXISTS', history) == 0 then
        redis.call('HSET', history, 'orgId', orgId, 'taskId', taskId, 'role', role, 'closedAt', closedAt)
        redis.call('PEXPIRE', history, keyTtl)
      end
    end
  end
  if not present then
    redis.call('HSET', sessionKey, 'status', 'closed', 'closedAt', closedAt, 'closeReason', closeReason)
  end
end
if present then return 2 end
redis.call('PEXPIRE', sessionKey, keyTtl)
return 1
