-- Deletes the post-task history entries given that belong to one org (another org's entries for the same caller stay).
-- KEYS: history entries. ARGV[1]: orgId. Returns the number deleted.
local deleted = 0
for _, key in ipairs(KEYS) do
  if redis.call('HGET', key, 'orgId') == ARGV[1] then
    redis.call('DEL', key)
    deleted = deleted + 1
  end
end
return deleted
