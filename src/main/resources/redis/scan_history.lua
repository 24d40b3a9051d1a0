-- One SCAN step over the post-task history entries (P, caller token), keeping the entries of the callers asked for.
-- SCAN runs here, not from the client, so that it reaches the node holding every Maskline key on Redis Cluster too.
-- KEYS[1] any key in the {ml} slot (routes the call). ARGV: cursor, count, match pattern, caller token...
-- Returns {next cursor, key...}
local cursor, count, pattern = ARGV[1], ARGV[2], ARGV[3]
local wanted = {}
for i = 4, #ARGV do wanted[ARGV[i]] = true end
local step = redis.call('SCAN', cursor, 'MATCH', pattern, 'COUNT', count)
local out = {step[1]}
for _, key in ipairs(step[2]) do
  local caller = string.match(key, ':([^:]+)$')
  if caller and wanted[caller] then out[#out + 1] = key end
end
return out
