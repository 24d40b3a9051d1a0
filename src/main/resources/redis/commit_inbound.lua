-- Records what a webhook was answered with and appends its events, atomically: a retry then gets the same
-- answer and no second forward, archive event or email.
-- KEYS[1] sid key. ARGV: answer, orgId, answerTtlMs, archiveStream, mailStream, archiveFieldCount,
--   archive field/value pairs..., then mail field/value pairs (none when no email is due)
local sidKey = KEYS[1]
local answer, orgId, ttl, archiveStream, mailStream = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local archiveCount = tonumber(ARGV[6])
redis.call('HSET', sidKey, 'answer', answer, 'orgId', orgId)
redis.call('PEXPIRE', sidKey, ttl)
local archive = {}
for i = 7, 6 + archiveCount do archive[#archive + 1] = ARGV[i] end
redis.call('XADD', archiveStream, 'MAXLEN', '~', '10000000', '*', unpack(archive))
if #ARGV > 6 + archiveCount then
  local mail = {}
  for i = 7 + archiveCount, #ARGV do mail[#mail + 1] = ARGV[i] end
  redis.call('XADD', mailStream, '*', unpack(mail))
end
return 1
