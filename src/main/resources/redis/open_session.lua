-- Opens a session atomically: idempotency check, proxy-number choice, both routing keys, the participants'
-- in-use sets, pool usage, the session record, its expiry entry and the archive event.
-- KEYS[1] session key. ARGV: prefix, taskId, orgId, driver, recipient, variablesJson, nowMs, expiresAtMs,
--   routeTtlMs, anonymize (1/0), random (tie-break), archiveStream, orgPoolKey, sharedPoolKey, archiveMaxlen,
--   recipientTags (the recipient's locality tags, most specific first, space-separated: phone/Locality),
--   driverToken, recipientToken (storage/PartyKeys: what names each party in keys; their numbers never do)
-- Returns {'exists'} | {'conflict'} | {'exhausted'} | {'opened', proxy, poolKey}
local sessionKey = KEYS[1]
local prefix, taskId, orgId, driver, recipient, variables = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local now, expiresAt, routeTtl, anonymize, random = ARGV[7], ARGV[8], tonumber(ARGV[9]), ARGV[10] == '1', tonumber(ARGV[11])
local archiveStream, orgPool, sharedPool, archiveMaxlen = ARGV[12], ARGV[13], ARGV[14], ARGV[15]
local recipientTags = ARGV[16] or ''
local driverToken, recipientToken = ARGV[17], ARGV[18]

local existing = redis.call('HGETALL', sessionKey)
if #existing > 0 then
  local s = {}
  for i = 1, #existing, 2 do s[existing[i]] = existing[i + 1] end
  if s.orgId == orgId and s.driver == driver and s.recipient == recipient then
    return {'exists'}
  end
  return {'conflict'}
end

local function inUse(token)
  local set = {}
  for _, p in ipairs(redis.call('SMEMBERS', prefix .. 'busy:' .. token)) do set[p] = true end
  return set
end

-- Least-used number on which neither party already has an open session; ties broken at random. Cost grows with
-- the number of usage levels visited, not with the pool: each level is entered at a random offset via ranks.
local function pick(pool, busyDriver, busyRecipient)
  local level = redis.call('ZRANGE', pool, 0, 0, 'WITHSCORES')
  local visited = 0
  while #level > 0 do
    local score = level[2]
    local first = redis.call('ZCOUNT', pool, '-inf', '(' .. score)
    local count = redis.call('ZCOUNT', pool, score, score)
    local offset = (random + visited) % count
    local scanned, chunk = 0, 32
    while scanned < count do
      local from = first + ((offset + scanned) % count)
      local to = math.min(from + chunk - 1, first + count - 1)
      for _, number in ipairs(redis.call('ZRANGE', pool, from, to)) do
        if not busyDriver[number] and not busyRecipient[number] then return number end
      end
      scanned = scanned + (to - from + 1)
    end
    visited = visited + 1
    level = redis.call('ZRANGEBYSCORE', pool, '(' .. score, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
  end
  return nil
end

-- The org's numberSelection (PUT /v1/orgs): 'sticky-local' (default) or 'least-used'.
local function sticky(busyDriver, busyRecipient)
  local last = redis.call('HGET', prefix .. 'sticky:' .. orgId, recipient)
  if not last or busyDriver[last] or busyRecipient[last] then return nil end
  -- Still in one of the pools this org allocates from (a removed number left its pool).
  for _, candidatePool in ipairs({orgPool, sharedPool}) do
    if redis.call('ZSCORE', candidatePool, last) then return last, candidatePool end
  end
  return nil
end

local proxy, pool, localTags = '', '', ''
if anonymize then
  local busyDriver, busyRecipient = inUse(driverToken), inUse(recipientToken)
  local selection = redis.call('HGET', prefix .. 'org:' .. orgId, 'numberSelection')
  local stickyLocal = selection ~= 'least-used'
  proxy, pool = nil, nil
  if stickyLocal then
    proxy, pool = sticky(busyDriver, busyRecipient)
  end
  if not proxy then
    for _, candidatePool in ipairs({orgPool, sharedPool}) do
      -- Each pool's sub-pools of the recipient's area code and country first (ProxyNumbers keeps them).
      if stickyLocal then
        for tag in string.gmatch(recipientTags, '%S+') do
          proxy = pick(candidatePool .. ':' .. tag, busyDriver, busyRecipient)
          if proxy then break end
        end
      end
      proxy = proxy or pick(candidatePool, busyDriver, busyRecipient)
      if proxy then pool = candidatePool break end
    end
  end
  if not proxy then return {'exhausted'} end
  if stickyLocal then
    redis.call('HSET', prefix .. 'sticky:' .. orgId, recipient, proxy)
  end
  -- The number's sub-pools count its sessions too, so that they order by use like the pool itself.
  localTags = redis.call('HGET', prefix .. 'num:' .. proxy, 'localTags') or ''
  for tag in string.gmatch(localTags, '%S+') do
    redis.call('ZINCRBY', pool .. ':' .. tag, 1, proxy)
  end

  local driverRoute = prefix .. 'route:' .. proxy .. ':' .. driverToken
  local recipientRoute = prefix .. 'route:' .. proxy .. ':' .. recipientToken
  -- The variables are copied into both routes so that the webhook hot path reads one hash (route_inbound.lua); so is
  -- the counterpart's token, which names the pair's loop-guard key.
  redis.call('HSET', driverRoute, 'orgId', orgId, 'taskId', taskId, 'role', 'DRIVER', 'counterpart', recipient,
    'counterpartToken', recipientToken, 'variables', variables)
  redis.call('HSET', recipientRoute, 'orgId', orgId, 'taskId', taskId, 'role', 'RECIPIENT', 'counterpart', driver,
    'counterpartToken', driverToken, 'variables', variables)
  redis.call('PEXPIRE', driverRoute, routeTtl)
  redis.call('PEXPIRE', recipientRoute, routeTtl)
  redis.call('SADD', prefix .. 'busy:' .. driverToken, proxy)
  redis.call('SADD', prefix .. 'busy:' .. recipientToken, proxy)
  redis.call('ZINCRBY', pool, 1, proxy)
end

-- The parties' tokens stay with the record: closing (close_session.lua) names their keys without Java.
redis.call('HSET', sessionKey, 'taskId', taskId, 'orgId', orgId, 'driver', driver, 'recipient', recipient,
  'driverToken', driverToken, 'recipientToken', recipientToken,
  'proxy', proxy, 'pool', pool, 'localTags', localTags, 'variables', variables, 'status', 'open', 'openedAt', now, 'expiresAt', expiresAt,
  'anonymized', anonymize and '1' or '0')
redis.call('PEXPIRE', sessionKey, routeTtl)
redis.call('ZADD', prefix .. 'session-expiry', expiresAt, orgId .. ':' .. taskId)
redis.call('XADD', archiveStream, 'MAXLEN', '~', archiveMaxlen, '*', 'kind', 'session', 'action', 'open',
  'taskId', taskId, 'orgId', orgId, 'proxy', proxy, 'driver', driver, 'recipient', recipient, 'at', now, 'variables', variables)
return {'opened', proxy, pool}
