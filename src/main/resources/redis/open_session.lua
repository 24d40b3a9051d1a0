-- Opens a session atomically: idempotency check, proxy-number choice, both routing keys, the participants'
-- in-use sets, pool usage, the session record, its expiry entry and the archive event.
-- KEYS[1] session key. ARGV: prefix, taskId, orgId, driver, recipient, variablesJson, nowMs, expiresAtMs,
--   routeTtlMs, anonymize (1/0), random (tie-break), archiveStream, orgPoolKey, sharedPoolKey
-- Returns {'exists', ...session fields} | {'conflict'} | {'exhausted'} | {'opened', proxy}
local sessionKey = KEYS[1]
local prefix, taskId, orgId, driver, recipient, variables = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local now, expiresAt, routeTtl, anonymize, random = ARGV[7], ARGV[8], tonumber(ARGV[9]), ARGV[10] == '1', tonumber(ARGV[11])
local archiveStream, orgPool, sharedPool = ARGV[12], ARGV[13], ARGV[14]

local existing = redis.call('HGETALL', sessionKey)
if #existing > 0 then
  local s = {}
  for i = 1, #existing, 2 do s[existing[i]] = existing[i + 1] end
  if s.orgId == orgId and s.driver == driver and s.recipient == recipient then
    return {'exists'}
  end
  return {'conflict'}
end

local function inUse(phone)
  local set = {}
  for _, p in ipairs(redis.call('SMEMBERS', prefix .. 'busy:' .. phone)) do set[p] = true end
  return set
end

-- Least-used number on which neither party already has an open session; ties broken at random.
local function pick(pool, busyDriver, busyRecipient)
  local start, chunk = 0, 200
  local best, bestScore = {}, nil
  while true do
    local page = redis.call('ZRANGE', pool, start, start + chunk - 1, 'WITHSCORES')
    if #page == 0 then break end
    for i = 1, #page, 2 do
      local number, score = page[i], tonumber(page[i + 1])
      if bestScore ~= nil and score > bestScore then
        return best[(random % #best) + 1]
      end
      if not busyDriver[number] and not busyRecipient[number] then
        bestScore = score
        best[#best + 1] = number
      end
    end
    start = start + chunk
  end
  if #best > 0 then return best[(random % #best) + 1] end
  return nil
end

local proxy, pool = '', ''
if anonymize then
  local busyDriver, busyRecipient = inUse(driver), inUse(recipient)
  for _, candidatePool in ipairs({orgPool, sharedPool}) do
    proxy = pick(candidatePool, busyDriver, busyRecipient)
    if proxy then pool = candidatePool break end
  end
  if not proxy then return {'exhausted'} end

  local driverRoute = prefix .. 'route:' .. proxy .. ':' .. driver
  local recipientRoute = prefix .. 'route:' .. proxy .. ':' .. recipient
  redis.call('HSET', driverRoute, 'orgId', orgId, 'taskId', taskId, 'role', 'DRIVER', 'counterpart', recipient)
  redis.call('HSET', recipientRoute, 'orgId', orgId, 'taskId', taskId, 'role', 'RECIPIENT', 'counterpart', driver)
  redis.call('PEXPIRE', driverRoute, routeTtl)
  redis.call('PEXPIRE', recipientRoute, routeTtl)
  redis.call('SADD', prefix .. 'busy:' .. driver, proxy)
  redis.call('SADD', prefix .. 'busy:' .. recipient, proxy)
  redis.call('ZINCRBY', pool, 1, proxy)
end

redis.call('HSET', sessionKey, 'taskId', taskId, 'orgId', orgId, 'driver', driver, 'recipient', recipient,
  'proxy', proxy, 'pool', pool, 'variables', variables, 'status', 'open', 'openedAt', now, 'expiresAt', expiresAt,
  'anonymized', anonymize and '1' or '0')
redis.call('PEXPIRE', sessionKey, routeTtl)
redis.call('ZADD', prefix .. 'session-expiry', expiresAt, taskId)
redis.call('XADD', archiveStream, 'MAXLEN', '~', '10000000', '*', 'kind', 'session', 'action', 'open',
  'taskId', taskId, 'orgId', orgId, 'proxy', proxy, 'driver', driver, 'recipient', recipient, 'at', now, 'variables', variables)
return {'opened', proxy}
