-- Records that an Onfleet task ended (completed, failed or deleted) at an event time, keeping the latest such time,
-- so that a "started" delivered late (or again) with an earlier time opens nothing.
-- KEYS[1] the task's timeline hash. ARGV: eventTimeMs, ttlMs. Returns the recorded end time.
local ended = tonumber(redis.call('HGET', KEYS[1], 'endedAt') or '-1')
if tonumber(ARGV[1]) > ended then
  redis.call('HSET', KEYS[1], 'endedAt', ARGV[1])
  ended = tonumber(ARGV[1])
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return tostring(ended)
