-- Records what a webhook was answered with and appends its events, atomically: a retry then gets the same
-- answer and no second forward, archive event or email.
-- KEYS[1] sid key. ARGV: answer, orgId, answerTtlMs, archiveStream, mailStream, archiveFieldCount,
--   archive field/value pairs..., then mail field/value pairs (none when no email is due)
local sidKey = KEYS[1]
local answer, orgId, ttl, archiveStream, mailStream = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local archiveCount = tonumber(ARGV[6])
redis.call('HSET', sidKey, 'answer', answer, 'orgId', orgId)
redis.call('PEXPIRE', sidKey, ttl)
-- unpack straight from ARGV: no per-webhook Lua table.
redis.call('XADD', archiveStream, 'MAXLEN', '~', '10000000', '*', unpack(ARGV, 7, 6 + archiveCount))
if #ARGV > 6 + archiveCount then
  redis.call('XADD', mailStream, '*', unpack(ARGV, 7 + archiveCount, #ARGV))
end
return 1
