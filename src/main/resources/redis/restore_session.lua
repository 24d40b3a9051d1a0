-- Puts one durable session (Postgres) back into a Redis that lost its data: an open session gets its routing keys,
-- in-use sets, pool usage, record and expiry entry; a closed one its history keys and record, for what is left of
-- the history TTL. Does nothing when the session's record is there (restored already, or never lost), so any
-- number of pods may restore at once. No archive event: the session's open and close were archived when they
-- happened.
-- KEYS[1] session key. ARGV: prefix, taskId, orgId, driver, recipient, proxy ('' if none), poolKey ('' if none),
--   variablesJson, openedAtMs, expiresAtMs, keyTtlMs, anonymized (1/0), closedAtMs ('' while open), closeReason
-- Returns 1 restored | 0 present
local sessionKey = KEYS[1]
local prefix, taskId, orgId, driver, recipient, proxy, pool = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]
local variables, openedAt, expiresAt, keyTtl, anonymized = ARGV[8], ARGV[9], ARGV[10], tonumber(ARGV[11]), ARGV[12]
local closedAt, closeReason = ARGV[13], ARGV[14]

if redis.call('EXISTS', sessionKey) == 1 then return 0 end

redis.call('HSET', sessionKey, 'taskId', taskId, 'orgId', orgId, 'driver', driver, 'recipient', recipient,
  'proxy', proxy, 'pool', pool, 'variables', variables, 'openedAt', openedAt, 'expiresAt', expiresAt, 'anonymized', anonymized)

if closedAt == '' then
  if proxy ~= '' then
    for role, phone in pairs({DRIVER = driver, RECIPIENT = recipient}) do
      local counterpart = role == 'DRIVER' and recipient or driver
      local route = prefix .. 'route:' .. proxy .. ':' .. phone
      redis.call('HSET', route, 'orgId', orgId, 'taskId', taskId, 'role', role, 'counterpart', counterpart, 'variables', variables)
      redis.call('PEXPIRE', route, keyTtl)
      redis.call('SADD', prefix .. 'busy:' .. phone, proxy)
    end
    if pool ~= '' then
      redis.call('ZINCRBY', pool, 1, proxy)
      -- The number's sub-pools count its sessions too (open_session.lua); numbers are re-mirrored before this runs.
      local localTags = redis.call('HGET', prefix .. 'num:' .. proxy, 'localTags') or ''
      for tag in string.gmatch(localTags, '%S+') do
        redis.call('ZINCRBY', pool .. ':' .. tag, 1, proxy)
      end
      redis.call('HSET', sessionKey, 'localTags', localTags)
    end
  end
  redis.call('HSET', sessionKey, 'status', 'open')
  redis.call('ZADD', prefix .. 'session-expiry', expiresAt, orgId .. ':' .. taskId)
else
  if proxy ~= '' then
    for role, phone in pairs({DRIVER = driver, RECIPIENT = recipient}) do
      local history = prefix .. 'hist:' .. proxy .. ':' .. phone
      -- Closed sessions are restored newest first: an older one never overwrites a newer history.
      if redis.call('EXISTS', history) == 0 then
        redis.call('HSET', history, 'orgId', orgId, 'taskId', taskId, 'role', role, 'closedAt', closedAt)
        redis.call('PEXPIRE', history, keyTtl)
      end
    end
  end
  redis.call('HSET', sessionKey, 'status', 'closed', 'closedAt', closedAt, 'closeReason', closeReason)
end
redis.call('PEXPIRE', sessionKey, keyTtl)
return 1
