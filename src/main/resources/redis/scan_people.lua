-- One SCAN step over Maskline's strings and hashes, keeping the keys whose name or value may hold one of the people
-- asked for: a candidate filter, Java decides exactly (IdentityMatcher). A number is looked for among the digits of
-- the text with everything else removed (so "+47 912 34 567" and "%2B4791234567" are found), an email in the
-- lower-cased text, a token (storage/PartyKeys: what names a person in key names) as it is. SCAN runs here, not from
-- the client, so that it reaches the node holding every Maskline key on Redis Cluster too.
-- KEYS[1] any key in the {ml} slot (routes the call). ARGV: cursor, count, match pattern, token count, token...,
--   needle... (a needle with '@' is an email, any other the digits of one form of a number)
-- Returns {next cursor, key, type, key, type...}
local cursor, count, pattern = ARGV[1], ARGV[2], ARGV[3]
local firstNeedle = 5 + tonumber(ARGV[4])
local step = redis.call('SCAN', cursor, 'MATCH', pattern, 'COUNT', count)
local out = {step[1]}
for _, key in ipairs(step[2]) do
  local kind = redis.call('TYPE', key)['ok']
  local text = nil
  if kind == 'string' then
    text = key .. '\n' .. redis.call('GET', key)
  elseif kind == 'hash' then
    text = key .. '\n' .. table.concat(redis.call('HGETALL', key), '\n')
  end
  if text then
    local found = false
    for i = 5, firstNeedle - 1 do
      if string.find(text, ARGV[i], 1, true) then
        found = true
        break
      end
    end
    if not found then
      local digits, lower = string.gsub(text, '%D', ''), string.lower(text)
      for i = firstNeedle, #ARGV do
        local needle = ARGV[i]
        local haystack = string.find(needle, '@', 1, true) and lower or digits
        if string.find(haystack, needle, 1, true) then
          found = true
          break
        end
      end
    end
    if found then
      out[#out + 1] = key
      out[#out + 1] = kind
    end
  end
end
return out
