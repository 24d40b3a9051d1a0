-- Appends a status callback to the archive stream with the org its sid was routed for (if known).
-- KEYS[1] sid key. ARGV: archiveStream, field/value pairs...
local orgId = redis.call('HGET', KEYS[1], 'orgId') or ''
local fields = {'orgId', orgId}
for i = 2, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('XADD', ARGV[1], 'MAXLEN', '~', '10000000', '*', unpack(fields))
return orgId
