-- The webhook hot path's one read: dedupe claim, abuse guards and every routing fact, in one round trip.
-- KEYS[1] sid key (dedupe), KEYS[2] the sid's replay marker (Keys.replayMarker). ARGV: prefix, proxy, caller, nowMs, windowMs, ratePerPair, ratePerCaller, loopGuard,
--   claimTtlMs, channel (sms|voice), callerToken (storage/PartyKeys: what names the caller in keys; the number is
--   read only as a value: opt-outs, the org's admin phone)
-- Returns {'dup', answer-or-'pending'} or
--   {'facts', guard, context, orgId, taskId, role, counterpart, dedicatedOrg, variables, recipientOptedOut (1/0),
--   replyTo, replyToOptedOut (1/0), org...(7 fields, when the org is known and its facts can matter)}
local sidKey = KEYS[1]
local prefix, proxy, caller, now, window = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
local ratePerPair, ratePerCaller, loopGuard = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local claimTtl, channel, windowMs = ARGV[9], ARGV[10], ARGV[5]
local callerToken = ARGV[11]

-- The sid key is a string: 'pending' while claimed, then "<orgId> <answer>" (InboundLedger). One SET claims it.
if not redis.call('SET', sidKey, 'pending', 'NX', 'PX', claimTtl) then
  local stored = redis.call('GET', sidKey)
  if stored ~= 'pending' then
    stored = string.sub(stored, string.find(stored, ' ', 1, true) + 1)
  end
  return {'dup', stored}
end
-- A sid answered before whose stored answer expired (a captured request replayed days later): a duplicate all the same.
-- The claim stays until claimTtl, so a burst of replays costs this one EXISTS each.
if redis.call('EXISTS', KEYS[2]) == 1 then
  return {'dup', 'pending'}
end

-- GCRA (generic cell rate algorithm): `limit` events per window, evenly refilled, bursts up to `limit`.
-- One key per limit holding the theoretical arrival time (TAT). A key lives a whole window past its last use, not
-- just until its TAT: a TAT in the past reads as "now" all the same, and a key that outlives the gap to the sender's
-- next message is updated in place instead of expired and created again. `stored` is the key's current value (read
-- by the caller, so that all limits cost one MGET); returns the new TAT, or nil when over the limit.
local function admit(stored, limit)
  local tat = tonumber(stored) or now
  if tat < now then tat = now end
  local newTat = tat + window / limit
  if newTat - now > window then return nil end
  return newTat
end
local function remember(key, tat)
  redis.call('SET', key, string.format('%d', tat), 'PX', windowMs)
end

-- The binding first: the loop guard's key needs the counterpart, and then all three guard keys are read at once.
-- HMGET of the fields needed, not HGETALL into a Lua table: this script runs for every webhook, and Redis's CPU
-- per webhook is the gateway's largest cost after its own (docs/PERFORMANCE.md).
local context, orgId, taskId, role, counterpart, variables = 'UNKNOWN', '', '', '', '', '{}'
local route = redis.call('HMGET', prefix .. 'route:' .. proxy .. ':' .. callerToken, 'orgId', 'taskId', 'role', 'counterpart', 'variables',
  'counterpartToken')
local loopKey = false
if route[1] then
  context, orgId, taskId, role, counterpart = 'ACTIVE', route[1], route[2], route[3], route[4]
  variables = route[5] or '{}'
  if channel == 'sms' and route[6] then
    -- Loop guard: messages on one binding (pair of parties through P) per minute; auto-responders exceed it fast.
    -- Named by both parties' tokens, in order, as Keys.loop names it.
    local a, b = callerToken, route[6]
    if b < a then a, b = b, a end
    loopKey = prefix .. 'loop:' .. proxy .. ':' .. a .. ':' .. b
  end
else
  local history = redis.call('HMGET', prefix .. 'hist:' .. proxy .. ':' .. callerToken, 'orgId', 'taskId', 'role')
  if history[1] then
    context, orgId, taskId, role = 'ENDED', history[1], history[2], history[3]
  end
end

local guard = 'CLEAR'
local pairKey, callerKey = prefix .. 'rate:' .. proxy .. ':' .. callerToken, prefix .. 'rate:' .. callerToken
local tats = loopKey and redis.call('MGET', pairKey, callerKey, loopKey) or redis.call('MGET', pairKey, callerKey)
local pairTat = admit(tats[1], ratePerPair)
local callerTat = pairTat and admit(tats[2], ratePerCaller)
if pairTat and callerTat then
  remember(pairKey, pairTat)
  remember(callerKey, callerTat)
  if loopKey then
    local loopTat = admit(tats[3], loopGuard)
    if loopTat then remember(loopKey, loopTat) else guard = 'LOOP_DETECTED' end
  end
else
  -- A pair over its limit leaves the caller's budget untouched; a limited message does not count towards a loop.
  if pairTat then remember(pairKey, pairTat) end
  guard = 'RATE_LIMITED'
end

-- P's owner matters only once no binding is open (post-task routing, unknown callers): skipped for most webhooks.
local dedicatedOrg = ''
if context ~= 'ACTIVE' then
  dedicatedOrg = redis.call('HGET', prefix .. 'num:' .. proxy, 'orgId') or ''
  if context == 'UNKNOWN' and dedicatedOrg ~= '' then
    context, orgId = 'DEDICATED', dedicatedOrg
  end
end

-- Opt-outs are one set per org: the recipient side of the inbound is the counterpart when a driver in a task writes
-- or calls, else the caller (a driver after the task is refused anyway).
local recipientOptedOut = 0
if orgId ~= '' and not (context == 'ENDED' and role == 'DRIVER') then
  local recipient = (context == 'ACTIVE' and role == 'DRIVER') and counterpart or caller
  recipientOptedOut = redis.call('SISMEMBER', prefix .. 'optout:' .. orgId, recipient)
end

local result = {'facts', guard, context, orgId, taskId, role, counterpart, dedicatedOrg, variables, recipientOptedOut, '', 0}
-- Every rule but one consults the org: a driver's message during a task always goes to the recipient (InboundRouter,
-- pinned by InboundRouterTest). Half the in-task messages skip the org's hash: ≈ 7 of the script's 47 µs of Redis
-- CPU (loadtest/bench/facts-script-bench.sh).
local orgMatters = not (context == 'ACTIVE' and role == 'DRIVER' and channel == 'sms')
if orgId ~= '' and orgMatters then
  local org = redis.call('HMGET', prefix .. 'org:' .. orgId, 'email', 'adminPhone', 'adminPhoneAcceptsSms', 'anonymize',
    'routeRecipientsToAdmin', 'recordCalls', 'name')
  local present = false
  for i = 1, 7 do present = present or org[i] ~= false end
  if present then
    for i = 1, 7 do result[12 + i] = org[i] or '' end
  end
  -- The org's admin on its own number outside a task: their text or call goes back to the last recipient who
  -- reached them through it (Keys.replyTarget). Read only then, so other traffic pays nothing for it.
  if context ~= 'ACTIVE' and dedicatedOrg == orgId and org[2] == caller then
    local replyTo = redis.call('GET', prefix .. 'reply:' .. proxy)
    if replyTo then
      result[11] = replyTo
      result[12] = redis.call('SISMEMBER', prefix .. 'optout:' .. orgId, replyTo)
    end
  end
end
return result
