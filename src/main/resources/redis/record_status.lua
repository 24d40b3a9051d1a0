-- Appends a status callback to the archive stream with the org its sid was routed for (if known).
-- KEYS[1] sid key. ARGV: archiveStream, archiveMaxlen, field/value pairs...
-- The sid key holds "<orgId> <answer>" (Keys.sidValue), or 'pending' while the first delivery is answered.
local stored = redis.call('GET', KEYS[1])
local orgId = ''
if stored and stored ~= 'pending' then
  orgId = string.sub(stored, 1, string.find(stored, ' ', 1, true) - 1)
end
local fields = {'orgId', orgId}
for i = 3, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('XADD', ARGV[1], 'MAXLEN', '~', ARGV[2], '*', unpack(fields))
return orgId
