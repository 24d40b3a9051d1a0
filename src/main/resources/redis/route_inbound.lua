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

local function hash(key)
  local flat = redis.call('HGETALL', key)
  if #flat == 0 then return nil end
  local h = {}
  for i = 1, #flat, 2 do h[flat[i]] = flat[i + 1] end
  return h
end

local context, orgId, taskId, role, counterpart, variables = 'UNKNOWN', '', '', '', '', '{}'
local route = hash(prefix .. 'route:' .. proxy .. ':' .. caller)
if route then
  context, orgId, taskId, role, counterpart = 'ACTIVE', route.orgId, route.taskId, route.role, route.counterpart
  variables = redis.call('HGET', prefix .. 'session:' .. taskId, 'variables') or '{}'
  -- Loop guard: messages on one binding (pair of parties through P) per minute; auto-responders exceed it fast.
  if guard == 'CLEAR' and channel == 'sms' then
    local a, b = caller, counterpart
    if b < a then a, b = b, a end
    if overLimit(prefix .. 'loop:' .. proxy .. ':' .. a .. ':' .. b, loopGuard) then guard = 'LOOP_DETECTED' end
  end
else
  local history = hash(prefix .. 'hist:' .. proxy .. ':' .. caller)
  if history then
    context, orgId, taskId, role = 'ENDED', history.orgId, history.taskId, history.role
  end
end

local dedicatedOrg = redis.call('HGET', prefix .. 'num:' .. proxy, 'orgId') or ''
if context == 'UNKNOWN' and dedicatedOrg ~= '' then
  context, orgId = 'DEDICATED', dedicatedOrg
end

local org = orgId ~= '' and hash(prefix .. 'org:' .. orgId) or nil
local result = {'facts', guard, context, orgId, taskId, role, counterpart, dedicatedOrg, variables}
if org then
  for _, field in ipairs({'email', 'adminPhone', 'adminPhoneAcceptsSms', 'anonymize', 'routeRecipientsToAdmin', 'recordCalls', 'country'}) do
    result[#result + 1] = org[field] or ''
  end
end
return result
