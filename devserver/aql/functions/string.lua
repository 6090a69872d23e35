-- AQL string functions. Positions and lengths count characters (UTF-8), not bytes.
local U = require "arango.devserver.aql.functions.util"
local H = require "arango.devserver.aql.functions.hashes"
local R = require "arango.devserver.aql.functions.regex"
local V = U.V
local def, null = U.def, U.null
local to_string = V.to_string
local ulen, usub = U.ulen, U.usub

local F = {}

local function str(v) return to_string(v) end

def(F, "CHAR_LENGTH", 1, 1, function(_, a) return ulen(str(a[1])) end)
def(F, "LOWER", 1, 1, function(_, a) return U.lower(str(a[1])) end)
def(F, "UPPER", 1, 1, function(_, a) return U.upper(str(a[1])) end)

local function concat_values(list, first, last, sep)
  local parts = {}
  for i = first, last do
    local v = list[i]
    if v ~= null and v ~= nil then parts[#parts + 1] = str(v) end
  end
  return table.concat(parts, sep)
end

def(F, "CONCAT", 0, math.huge, function(_, a, n)
  if n == 1 and V.is_array(a[1]) then return concat_values(a[1], 1, #a[1], "") end
  return concat_values(a, 1, n, "")
end)

def(F, "CONCAT_SEPARATOR", 1, math.huge, function(_, a, n)
  local sep = str(a[1])
  if n == 2 and V.is_array(a[2]) then return concat_values(a[2], 1, #a[2], sep) end
  return concat_values(a, 2, n, sep)
end)

--- Character position (0-based) of needle in s at/after character start, or -1.
local function find_chars(s, needle, start)
  local bstart = 1
  if start and start > 0 then
    bstart = utf8.offset(s, start + 1) or (#s + 1)
  end
  local b = string.find(s, needle, bstart, true)
  if not b then return -1 end
  return U.char_index(s, b) - 1
end

def(F, "CONTAINS", 2, 3, function(_, a, n)
  local s, search = str(a[1]), str(a[2])
  local pos
  if search == "" then pos = 0 else pos = find_chars(s, search, 0) end
  if n >= 3 and V.truthy(a[3]) then return pos end
  return pos >= 0
end)

def(F, "FIND_FIRST", 2, 4, function(_, a, n)
  local s, search = str(a[1]), str(a[2])
  local len = ulen(s)
  local start = n >= 3 and a[3] ~= null and U.int(a[3]) or 0
  local stop = n >= 4 and a[4] ~= null and U.int(a[4]) or nil
  if start < 0 then start = 0 end
  if stop and stop < start then return -1 end
  local sub = s
  if stop then sub = usub(s, 1, stop + 1) end
  if search == "" then return start <= len and start or -1 end
  return find_chars(sub, search, start)
end)

def(F, "FIND_LAST", 2, 4, function(_, a, n)
  local s, search = str(a[1]), str(a[2])
  local start = n >= 3 and a[3] ~= null and U.int(a[3]) or 0
  local stop = n >= 4 and a[4] ~= null and U.int(a[4]) or nil
  if start < 0 then start = 0 end
  if stop and stop < start then return -1 end
  local sub = s
  if stop then sub = usub(s, 1, stop + 1) end
  if search == "" then return stop and math.min(stop + 1, ulen(s)) or ulen(s) end
  local last, pos = -1, start
  while true do
    local p = find_chars(sub, search, pos)
    if p < 0 then break end
    last = p
    pos = p + 1
  end
  return last
end)

def(F, "LEFT", 2, 2, function(_, a)
  local n = U.int(a[2])
  if n <= 0 then return "" end
  return usub(str(a[1]), 1, n)
end)

def(F, "RIGHT", 2, 2, function(_, a)
  local s = str(a[1])
  local n = U.int(a[2])
  if n <= 0 then return "" end
  local len = ulen(s)
  if n >= len then return s end
  return usub(s, len - n + 1, len)
end)

def(F, "SUBSTRING", 2, 3, function(_, a, n)
  local s = str(a[1])
  local len = ulen(s)
  local offset = U.int(a[2])
  if offset < 0 then offset = math.max(0, len + offset) end
  local count
  if n >= 3 and a[3] ~= null then
    count = U.int(a[3])
    if count < 0 then
      -- a negative length excludes characters from the end
      count = len - offset + count
      if count <= 0 then return "" end
    end
  else
    count = len - offset
  end
  if count <= 0 or offset >= len then return "" end
  return usub(s, offset + 1, offset + count)
end)

local function valid_utf8(s) return utf8.len(s) ~= nil end

def(F, "SUBSTRING_BYTES", 2, 5, function(ctx, a, n)
  local s = str(a[1])
  local len = #s
  local offset = U.int(a[2])
  if offset < 0 then offset = len + offset end
  if offset < 0 then offset = 0 end
  local count = (n >= 3 and a[3] ~= null) and U.int(a[3]) or (len - offset)
  if count < 0 then count = 0 end
  local first, last = offset + 1, math.min(len, offset + count)
  -- widen by whole characters to the left and right
  local left = n >= 4 and U.int(a[4]) or 0
  local right = n >= 5 and U.int(a[5]) or 0
  local function is_cont(b) return b and b >= 0x80 and b < 0xC0 end
  if first <= len + 1 and (is_cont(s:byte(first)) or (last >= first and is_cont(s:byte(last + 1)))) then
    return U.warn(ctx, 1542, "SUBSTRING_BYTES")
  end
  for _ = 1, left do
    if first <= 1 then break end
    first = first - 1
    while first > 1 and is_cont(s:byte(first)) do first = first - 1 end
  end
  for _ = 1, right do
    if last >= len then break end
    last = last + 1
    while last < len and is_cont(s:byte(last + 1)) do last = last + 1 end
  end
  local out = s:sub(first, last)
  if not valid_utf8(out) then return U.warn(ctx, 1542, "SUBSTRING_BYTES") end
  return out
end)

local default_trim = " \t\r\n"
local function trim(s, chars, left, right)
  local set = {}
  for _, c in ipairs(U.chars(chars)) do set[c] = true end
  local cs = U.chars(s)
  local i, j = 1, #cs
  if left then while i <= j and set[cs[i]] do i = i + 1 end end
  if right then while j >= i and set[cs[j]] do j = j - 1 end end
  return table.concat(cs, "", i, j)
end

def(F, "TRIM", 1, 2, function(_, a, n)
  local s = str(a[1])
  local kind, chars = 0, default_trim
  if n >= 2 and a[2] ~= null then
    if type(a[2]) == "string" then chars = a[2] else kind = U.int(a[2]) end
  end
  return trim(s, chars, kind == 0 or kind == 1, kind == 0 or kind == 2)
end)
def(F, "LTRIM", 1, 2, function(_, a, n)
  local chars = (n >= 2 and a[2] ~= null) and str(a[2]) or default_trim
  return trim(str(a[1]), chars, true, false)
end)
def(F, "RTRIM", 1, 2, function(_, a, n)
  local chars = (n >= 2 and a[2] ~= null) and str(a[2]) or default_trim
  return trim(str(a[1]), chars, false, true)
end)

def(F, "REPEAT", 2, 3, function(ctx, a, n)
  local s = str(a[1])
  local count = U.int(a[2])
  if count <= 0 then return "" end
  local sep = (n >= 3 and a[3] ~= null) and str(a[3]) or ""
  -- in floats: a huge count would overflow the integer product and slip through
  if (#s + #sep) * (count * 1.0) > 16 * 1024 * 1024 then
    return U.warn(ctx, 32) -- resource limit
  end
  return string.rep(s, count, sep)
end)

def(F, "REVERSE", 1, 1, function(ctx, a)
  local v = a[1]
  if V.is_array(v) then
    local out = V.array({})
    for i = #v, 1, -1 do out[#out + 1] = v[i] end
    return out
  end
  if type(v) == "string" then
    local cs = U.chars(v)
    local out = {}
    for i = #cs, 1, -1 do out[#out + 1] = cs[i] end
    return table.concat(out)
  end
  if v == null then return null end
  return U.type_warning(ctx, "REVERSE")
end)

def(F, "SPLIT", 1, 3, function(_, a, n)
  local v = a[1]
  if v == null then return V.array({}) end
  local s = str(v)
  local limit = (n >= 3 and a[3] ~= null) and U.int(a[3]) or -1
  local seps
  if n < 2 or a[2] == null then
    return V.array({ s })
  elseif V.is_array(a[2]) then
    seps = {}
    for _, x in ipairs(a[2]) do seps[#seps + 1] = str(x) end
  else
    seps = { str(a[2]) }
  end
  local out = V.array({})
  if limit == 0 then return out end
  if #seps == 1 and seps[1] == "" then
    for _, c in ipairs(U.chars(s)) do
      if limit > 0 and #out >= limit then break end
      out[#out + 1] = c
    end
    return out
  end
  local pos = 1
  while true do
    if limit > 0 and #out >= limit then return out end
    local best, best_len
    for _, sep in ipairs(seps) do
      if sep ~= "" then
        local p = string.find(s, sep, pos, true)
        if p and (not best or p < best) then best, best_len = p, #sep end
      end
    end
    if not best then break end
    out[#out + 1] = s:sub(pos, best - 1)
    pos = best + best_len
  end
  if not (limit > 0 and #out >= limit) then out[#out + 1] = s:sub(pos) end
  return out
end)

def(F, "SUBSTITUTE", 2, 4, function(_, a, n)
  local s = str(a[1])
  local searches, replaces = {}, {}
  local limit
  if V.is_object(a[2]) then
    for _, k in ipairs(V.keys(a[2])) do
      searches[#searches + 1] = k
      replaces[#replaces + 1] = a[2][k] == null and "" or str(a[2][k])
    end
    limit = (n >= 3 and a[3] ~= null) and U.int(a[3]) or nil
  else
    if V.is_array(a[2]) then
      for _, x in ipairs(a[2]) do searches[#searches + 1] = str(x) end
    else
      searches[1] = str(a[2])
    end
    local r = n >= 3 and a[3] or null
    if V.is_array(r) then
      for i = 1, #searches do replaces[i] = r[i] ~= nil and r[i] ~= null and str(r[i]) or "" end
    else
      local rs = r == null and "" or str(r)
      for i = 1, #searches do replaces[i] = rs end
    end
    limit = (n >= 4 and a[4] ~= null) and U.int(a[4]) or nil
  end
  if limit and limit <= 0 then limit = nil end
  local out, pos, count = {}, 1, 0
  while pos <= #s do
    if limit and count >= limit then break end
    local best, which
    for i, search in ipairs(searches) do
      if search ~= "" then
        local p = string.find(s, search, pos, true)
        if p and (not best or p < best) then best, which = p, i end
      end
    end
    if not best then break end
    out[#out + 1] = s:sub(pos, best - 1)
    out[#out + 1] = replaces[which]
    pos = best + #searches[which]
    count = count + 1
  end
  out[#out + 1] = s:sub(pos)
  return table.concat(out)
end)

--- LIKE matching: % any sequence, _ one character, backslash escapes.
local like_cache = {}
local function like_pattern(pattern)
  local cached = like_cache[pattern]
  if cached then return cached end
  local out = { "^" }
  local cs = U.chars(pattern)
  local i = 1
  while i <= #cs do
    local c = cs[i]
    if c == "\\" and i < #cs then
      i = i + 1
      out[#out + 1] = U.pattern_escape(cs[i])
    elseif c == "%" then
      if out[#out] ~= ".-" then out[#out + 1] = ".-" end
    elseif c == "_" then
      out[#out + 1] = "[\0-\127\194-\253][\128-\191]*"
    else
      out[#out + 1] = U.pattern_escape(c)
    end
    i = i + 1
  end
  out[#out + 1] = "$"
  local p = table.concat(out)
  like_cache[pattern] = p
  return p
end

function F.like(text, pattern, icase)
  if icase then
    text, pattern = U.lower(text), U.lower(pattern)
  end
  return string.find(text, like_pattern(pattern)) ~= nil
end

def(F, "LIKE", 2, 3, function(_, a, n)
  return F.like(str(a[1]), str(a[2]), n >= 3 and V.truthy(a[3]))
end)

-- Regular expressions -------------------------------------------------------------------------
local function compile(ctx, pattern, icase, fname)
  local re = R.compile(str(pattern), icase)
  if not re then U.warn(ctx, 1543) end
  return re, fname
end
F.compile_regex = R.compile

def(F, "REGEX_TEST", 2, 3, function(ctx, a, n)
  local re = compile(ctx, a[2], n >= 3 and V.truthy(a[3]))
  if not re then return null end
  return R.test(re, str(a[1]))
end)

def(F, "REGEX_MATCHES", 2, 3, function(ctx, a, n)
  local re = compile(ctx, a[2], n >= 3 and V.truthy(a[3]))
  if not re then return null end
  local m = R.match(re, str(a[1]))
  if not m then return null end
  local out = V.array({})
  for i = 1, re.ngroups + 1 do out[i] = m[i] or "" end
  return out
end)

def(F, "REGEX_SPLIT", 2, 4, function(ctx, a, n)
  local re = compile(ctx, a[2], n >= 3 and V.truthy(a[3]))
  if not re then return null end
  local limit = (n >= 4 and a[4] ~= null) and U.int(a[4]) or nil
  local out = V.array({})
  local pos = 1
  local cps
  cps = R.each(re, str(a[1]), function(ms, me, caps, subject)
    if limit and #out >= limit then return false end
    if me == ms then
      -- an empty match splits between characters
      if ms > #subject then return false end
      if ms == 1 then return end
      out[#out + 1] = R.from_cps(subject, pos, ms)
      pos = ms
      return
    end
    out[#out + 1] = R.from_cps(subject, pos, ms)
    for g = 1, re.ngroups do
      if limit and #out >= limit then return false end
      local cs, ce = caps[g * 2 - 1], caps[g * 2]
      if cs then out[#out + 1] = R.from_cps(subject, cs, ce) end
    end
    pos = me
  end)
  if not (limit and #out >= limit) then out[#out + 1] = R.from_cps(cps, pos, #cps + 1) end
  return out
end)

local function expand_replacement(rep, caps, subject, ms, me)
  return (rep:gsub("%$(%d)", function(d)
    d = tonumber(d)
    if d == 0 then return R.from_cps(subject, ms, me) end
    local cs, ce = caps[d * 2 - 1], caps[d * 2]
    if not cs then return "" end
    return R.from_cps(subject, cs, ce)
  end))
end

def(F, "REGEX_REPLACE", 3, 4, function(ctx, a, n)
  local re = compile(ctx, a[2], n >= 4 and V.truthy(a[4]))
  if not re then return null end
  local rep = str(a[3])
  local out, pos = {}, 1
  local cps = R.each(re, str(a[1]), function(ms, me, caps, subject)
    out[#out + 1] = R.from_cps(subject, pos, ms)
    out[#out + 1] = expand_replacement(rep, caps, subject, ms, me)
    pos = me
    if me == ms and ms <= #subject then
      out[#out + 1] = R.from_cps(subject, ms, ms + 1)
      pos = ms + 1
    end
  end)
  out[#out + 1] = R.from_cps(cps, pos, #cps + 1)
  return table.concat(out)
end)

-- Hashes and encodings -------------------------------------------------------------------------
def(F, "MD5", 1, 1, function(_, a) return H.md5(str(a[1])) end)
def(F, "SHA1", 1, 1, function(_, a) return H.sha1(str(a[1])) end)
def(F, "SHA256", 1, 1, function(_, a) return H.sha256(str(a[1])) end)
def(F, "SHA512", 1, 1, function(_, a) return H.sha512(str(a[1])) end)
def(F, "CRC32", 1, 1, function(_, a) return string.format("%X", H.crc32c(str(a[1]))) end)
def(F, "FNV64", 1, 1, function(_, a) return string.format("%X", H.fnv64(str(a[1]))) end)

local b64chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local function base64(s)
  local out = {}
  for i = 1, #s, 3 do
    local b1, b2, b3 = s:byte(i, i + 2)
    local v = (b1 << 16) | ((b2 or 0) << 8) | (b3 or 0)
    local c = {}
    for k = 1, 4 do
      local idx = (v >> (6 * (4 - k))) & 63
      c[k] = b64chars:sub(idx + 1, idx + 1)
    end
    if not b2 then c[3], c[4] = "=", "=" elseif not b3 then c[4] = "=" end
    out[#out + 1] = table.concat(c)
  end
  return table.concat(out)
end
F.base64 = base64

def(F, "TO_BASE64", 1, 1, function(_, a) return base64(str(a[1])) end)
def(F, "TO_HEX", 1, 1, function(_, a) return H.tohex(str(a[1])) end)
def(F, "TO_CHAR", 1, 1, function(ctx, a)
  local cp = U.num(a[1])
  if math.type(cp) ~= "integer" or cp < 0 or cp > 0x10FFFF then return U.type_warning(ctx, "TO_CHAR") end
  return utf8.char(cp)
end)

def(F, "ENCODE_URI_COMPONENT", 1, 1, function(_, a)
  return (str(a[1]):gsub("[^%w%-_%.!~%*'%(%)]", function(c)
    return string.format("%%%02X", c:byte())
  end))
end)

def(F, "UUID", 0, 0, function()
  local b = {}
  for i = 1, 16 do b[i] = math.random(0, 255) end
  b[7] = (b[7] & 0x0f) | 0x40
  b[9] = (b[9] & 0x3f) | 0x80
  local h = {}
  for i = 1, 16 do h[i] = string.format("%02x", b[i]) end
  return table.concat(h, "", 1, 4) .. "-" .. table.concat(h, "", 5, 6) .. "-" .. table.concat(h, "", 7, 8)
    .. "-" .. table.concat(h, "", 9, 10) .. "-" .. table.concat(h, "", 11, 16)
end)

local token_chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
def(F, "RANDOM_TOKEN", 1, 1, function(ctx, a)
  local n = U.num(a[1])
  if n < 0 or n > 65536 then return U.warn(ctx, 10) end
  n = math.floor(n)
  local out = {}
  for i = 1, n do
    local k = math.random(1, #token_chars)
    out[i] = token_chars:sub(k, k)
  end
  return table.concat(out)
end)

-- IPv4 -------------------------------------------------------------------------------------------
local function parse_ipv4(s)
  if type(s) ~= "string" then return nil end
  local p = { s:match("^(%d+)%.(%d+)%.(%d+)%.(%d+)$") }
  if #p ~= 4 then return nil end
  local v = 0
  for i = 1, 4 do
    if #p[i] > 3 or (#p[i] > 1 and p[i]:sub(1, 1) == "0") then return nil end
    local x = tonumber(p[i])
    if x > 255 then return nil end
    v = v * 256 + x
  end
  return v
end

def(F, "IS_IPV4", 1, 1, function(_, a) return parse_ipv4(a[1]) ~= nil end)
def(F, "IPV4_TO_NUMBER", 1, 1, function(ctx, a)
  local v = parse_ipv4(a[1])
  if not v then return U.type_warning(ctx, "IPV4_TO_NUMBER") end
  return v
end)
def(F, "IPV4_FROM_NUMBER", 1, 1, function(ctx, a)
  local v = a[1]
  if type(v) ~= "number" or math.type(V.normalize_number(v)) ~= "integer" or v < 0 or v > 0xFFFFFFFF then
    return U.type_warning(ctx, "IPV4_FROM_NUMBER")
  end
  v = math.tointeger(v)
  return string.format("%d.%d.%d.%d", (v >> 24) & 255, (v >> 16) & 255, (v >> 8) & 255, v & 255)
end)

-- JSON ---------------------------------------------------------------------------------------------
def(F, "JSON_STRINGIFY", 1, 1, function(_, a) return V.to_json(a[1]) end)
def(F, "JSON_PARSE", 1, 1, function(ctx, a)
  if type(a[1]) ~= "string" then return U.type_warning(ctx, "JSON_PARSE") end
  local json = require "arango.json"
  local ok, v = pcall(json.decode, a[1])
  if not ok then return U.type_warning(ctx, "JSON_PARSE") end
  local function norm(x)
    if type(x) == "number" then return V.normalize_number(x) end
    if type(x) == "table" then
      for k, y in pairs(x) do x[k] = norm(y) end
    end
    return x
  end
  return norm(v)
end)

-- Similarity -------------------------------------------------------------------------------------
local function levenshtein(s, t, transpositions)
  local a, b = U.codepoints(s), U.codepoints(t)
  local n, m = #a, #b
  if n == 0 then return m end
  if m == 0 then return n end
  local prev2, prev = {}, {}
  for j = 0, m do prev[j] = j end
  for i = 1, n do
    local cur = { [0] = i }
    for j = 1, m do
      local cost = a[i] == b[j] and 0 or 1
      local v = math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
      if transpositions and i > 1 and j > 1 and a[i] == b[j - 1] and a[i - 1] == b[j] then
        v = math.min(v, prev2[j - 2] + 1)
      end
      cur[j] = v
    end
    prev2, prev = prev, cur
  end
  return prev[m]
end
F.levenshtein = levenshtein

def(F, "LEVENSHTEIN_DISTANCE", 2, 2, function(_, a) return levenshtein(str(a[1]), str(a[2])) end)

local function ngrams(s, n)
  local cs = U.codepoints(s)
  local out = {}
  if #cs < n then
    if #cs > 0 then out[1] = cs end
    return out
  end
  for i = 1, #cs - n + 1 do out[#out + 1] = table.move(cs, i, i + n - 1, 1, {}) end
  return out
end

local function float32(x) return (string.unpack("f", string.pack("f", x))) end

local function ngram_sim(a, b, n, positional)
  local ga, gb = ngrams(a, n), ngrams(b, n)
  if #gb == 0 then return #ga == 0 and 1 or 0 end
  local d = {}
  for i = 0, #ga do d[i] = { [0] = 0 } end
  for j = 0, #gb do d[0][j] = 0 end
  for i = 1, #ga do
    for j = 1, #gb do
      local x, y = ga[i], gb[j]
      local sim
      if positional then
        local same = 0
        for k = 1, math.max(#x, #y) do if x[k] == y[k] then same = same + 1 end end
        sim = same / n
      else
        sim = 1
        for k = 1, math.max(#x, #y) do if x[k] ~= y[k] then sim = 0; break end end
      end
      d[i][j] = math.max(d[i - 1][j], d[i][j - 1], d[i - 1][j - 1] + sim)
    end
  end
  local denom = positional and math.max(#ga, #gb) or #gb
  return V.normalize_number(float32(d[#ga][#gb] / denom))
end

local function ngram_fn(positional, name)
  return function(ctx, a)
    if type(a[1]) ~= "string" or type(a[2]) ~= "string" or type(a[3]) ~= "number" or a[3] < 1 then
      return U.type_warning(ctx, name)
    end
    return ngram_sim(a[1], a[2], math.floor(a[3]), positional)
  end
end
def(F, "NGRAM_SIMILARITY", 3, 3, ngram_fn(false, "NGRAM_SIMILARITY"))
def(F, "NGRAM_POSITIONAL_SIMILARITY", 3, 3, ngram_fn(true, "NGRAM_POSITIONAL_SIMILARITY"))

local soundex_codes = {}
for c in ("bfpv"):gmatch(".") do soundex_codes[c] = "1" end
for c in ("cgjkqsxz"):gmatch(".") do soundex_codes[c] = "2" end
for c in ("dt"):gmatch(".") do soundex_codes[c] = "3" end
soundex_codes.l = "4"
for c in ("mn"):gmatch(".") do soundex_codes[c] = "5" end
soundex_codes.r = "6"

def(F, "SOUNDEX", 1, 1, function(_, a)
  local s = str(a[1]):lower():gsub("[^a-z]", "")
  if s == "" then return "" end
  local out = { s:sub(1, 1):upper() }
  local last = soundex_codes[s:sub(1, 1)]
  for i = 2, #s do
    local c = s:sub(i, i)
    local code = soundex_codes[c]
    if code and code ~= last then out[#out + 1] = code end
    if c ~= "h" and c ~= "w" then last = code end
    if #out == 4 then break end
  end
  while #out < 4 do out[#out + 1] = "0" end
  return table.concat(out)
end)

def(F, "STARTS_WITH", 2, 3, function(_, a, n)
  local s = str(a[1])
  if V.is_array(a[2]) then
    local min = (n >= 3 and a[3] ~= null) and U.int(a[3]) or 1
    local hits = 0
    for _, p in ipairs(a[2]) do
      local ps = str(p)
      if s:sub(1, #ps) == ps then hits = hits + 1 end
    end
    if #a[2] == 0 then return false end
    return hits >= math.max(min, 0)
  end
  local p = str(a[2])
  return s:sub(1, #p) == p
end)

-- TOKENS: runs an analyzer (built-in or stored in _analyzers) over a string or nested arrays.
local analyzers = require "arango.devserver.aql.analyzers"

def(F, "TOKENS", 1, 2, function(ctx, a, n)
  local name = (n >= 2 and type(a[2]) == "string") and a[2] or "identity"
  local analyzer = analyzers.definition(ctx.db, name)
  if not analyzer then
    ctx:fail(10, string.format("failure to find arangosearch analyzer with name '%s'", name))
  end
  local function walk(v)
    if V.is_array(v) then
      local out = V.array({})
      for i, x in ipairs(v) do out[i] = walk(x) end
      return out
    end
    if type(v) ~= "string" then v = str(v) end
    return analyzers.tokens(analyzer, v)
  end
  if a[1] == null then return U.type_warning(ctx, "TOKENS") end
  return walk(a[1])
end)

return F
