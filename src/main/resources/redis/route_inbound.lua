-- The webhook hot path's one read: dedupe claim, abuse guards and every routing fact, in one round trip.
-- KEYS[1] sid key (dedupe). ARGV: prefix, proxy, caller, nowMs, windowMs, ratePerPair, ratePerCaller, loopGuard,
--   claimTtlMs, channel (sms|voice)
-- Returns {'dup', answer-or-'pending'} or
--   {'facts', guard, context, orgId, taskId, role, counterpart, dedicatedOrg, variables, org...(7 fields)}
local sidKey = KEYS[1]
local prefix, proxy, caller, now, window = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
local ratePerPair, ratePerCaller, loopGuard = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local claimTtl, channel = ARGV[9], ARGV[10]

if redis.call('HSETNX', sidKey, 'answer', 'pending') == 0 then
  return {'dup', redis.call('HGET', sidKey, 'answer')}
end
redis.call('PEXPIRE', sidKey, claimTtl)

-- GCRA (generic cell rate algorithm): `limit` events per window, evenly refilled, bursts up to `limit`.
-- One key holding the theoretical arrival time; two commands per check, whatever the limit.
local function overLimit(key, limit)
  local interval = window / limit
  local tat = tonumber(redis.call('GET', key)) or now
  if tat < now then tat = now end
  local newTat = tat + interval
  if newTat - now > window then return true end
  redis.call('SET', key, math.floor(newTat), 'PX', math.ceil(newTat - now))
  return false
end

local guard = 'CLEAR'
if overLimit(prefix .. 'rate:' .. proxy .. ':' .. caller, ratePerPair)
    or overLimit(prefix .. 'rate:' .. caller, ratePerCaller) then
  guard = 'RATE_LIMITED'
end

-- HMGET of the fields needed, not HGETALL into a Lua table: this script runs for every webhook, and Redis's CPU
-- per webhook is the gateway's largest cost after its own (docs/PERFORMANCE.md).
local context, orgId, taskId, role, counterpart, variables = 'UNKNOWN', '', '', '', '', '{}'
local route = redis.call('HMGET', prefix .. 'route:' .. proxy .. ':' .. caller, 'orgId', 'taskId', 'role', 'counterpart')
if route[1] then
  context, orgId, taskId, role, counterpart = 'ACTIVE', route[1], route[2], route[3], route[4]
  variables = redis.call('HGET', prefix .. 'session:' .. taskId, 'variables') or '{}'
  -- Loop guard: messages on one binding (pair of parties through P) per minute; auto-responders exceed it fast.
  if guard == 'CLEAR' and channel == 'sms' then
    local a, b = caller, counterpart
    if b < a then a, b = b, a end
    if overLimit(prefix .. 'loop:' .. proxy .. ':' .. a .. ':' .. b, loopGuard) then guard = 'LOOP_DETECTED' end
  end
else
  local history = redis.call('HMGET', prefix .. 'hist:' .. proxy .. ':' .. caller, 'orgId', 'taskId', 'role')
  if history[1] then
    context, orgId, taskId, role = 'ENDED', history[1], history[2], history[3]
  end
end

local dedicatedOrg = redis.call('HGET', prefix .. 'num:' .. proxy, 'orgId') or ''
if context == 'UNKNOWN' and dedicatedOrg ~= '' then
  context, orgId = 'DEDICATED', dedicatedOrg
end

local result = {'facts', guard, context, orgId, taskId, role, counterpart, dedicatedOrg, variables}
if orgId ~= '' then
  local org = redis.call('HMGET', prefix .. 'org:' .. orgId, 'email', 'adminPhone', 'adminPhoneAcceptsSms', 'anonymize',
    'routeRecipientsToAdmin', 'recordCalls', 'country')
  local present = false
  for i = 1, 7 do present = present or org[i] ~= false end
  if present then
    for i = 1, 7 do result[9 + i] = org[i] or '' end
  end
end
return result
