-- AQL value semantics shared by the whole AQL engine: representation, type order, comparison,
-- conversions. Values are: json.null, booleans, Lua numbers (normalized, see normalize_number),
-- strings, arrays (tables carrying json.array_mt, no holes) and objects (plain string-keyed tables).
local json = require "arango.json"

local M = {}

local null = json.null
local array_mt = json.array_mt
local mtype = math.type
local tointeger = math.tointeger
local floor = math.floor
local sformat = string.format
local concat = table.concat

M.null = null
M.array_mt = array_mt

local TWO53 = 9007199254740992

function M.is_null(v)
  return v == null or v == nil
end

--- Marks t (or a new table) as an AQL array.
function M.array(t)
  return setmetatable(t or {}, array_mt)
end

function M.is_array(v)
  return type(v) == "table" and getmetatable(v) == array_mt
end

function M.is_object(v)
  return type(v) == "table" and getmetatable(v) ~= array_mt
end

local function type_name(v)
  local t = type(v)
  if t == "table" then
    return getmetatable(v) == array_mt and "array" or "object"
  elseif t == "boolean" then
    return "bool"
  elseif t == "number" then
    return "number"
  elseif t == "string" then
    return "string"
  end
  return "null"
end
M.type_name = type_name

local ORDER = { null = 0, bool = 1, number = 2, string = 3, array = 4, object = 5 }

function M.type_order(v)
  return ORDER[type_name(v)]
end

--- Normalizes a numeric result: NaN/Inf -> null, integral floats within +-2^53 -> integers.
function M.normalize_number(x)
  if mtype(x) == "float" then
    if x ~= x or x == math.huge or x == -math.huge then return null end
    if x >= -TWO53 and x <= TWO53 and floor(x) == x then
      return tointeger(x)
    end
  end
  return x
end
local normalize_number = M.normalize_number

---------------------------------------------------------------------------------------------
-- String collation. ArangoDB compares strings with ICU's collator (root/"en" rules): whitespace
-- and punctuation sort before digits, digits before letters, letters case-insensitively first,
-- then accents, then lower case before upper case. This is an approximation good for Latin text.
---------------------------------------------------------------------------------------------
local ascii_primary = {}   -- byte -> primary weight
local ascii_tertiary = {}  -- byte -> tertiary weight (case)
do
  local punct = "\t\n\v\f\r _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$"
  for i = 1, #punct do ascii_primary[punct:byte(i)] = i end
  for d = 0, 9 do ascii_primary[48 + d] = 100 + d end
  for l = 0, 25 do
    ascii_primary[97 + l] = 200 + l
    ascii_primary[65 + l] = 200 + l
    ascii_tertiary[65 + l] = 1
  end
end
-- Latin-1/Latin Extended letters: codepoint -> base letter, accent class, upper?
local latin = {}
do
  local groups = {
    { "a", "\u{E0}\u{E1}\u{E2}\u{E3}\u{E4}\u{E5}", "\u{C0}\u{C1}\u{C2}\u{C3}\u{C4}\u{C5}" },
    { "c", "\u{E7}", "\u{C7}" },
    { "e", "\u{E8}\u{E9}\u{EA}\u{EB}", "\u{C8}\u{C9}\u{CA}\u{CB}" },
    { "i", "\u{EC}\u{ED}\u{EE}\u{EF}", "\u{CC}\u{CD}\u{CE}\u{CF}" },
    { "n", "\u{F1}", "\u{D1}" },
    { "o", "\u{F2}\u{F3}\u{F4}\u{F5}\u{F6}\u{F8}", "\u{D2}\u{D3}\u{D4}\u{D5}\u{D6}\u{D8}" },
    { "u", "\u{F9}\u{FA}\u{FB}\u{FC}", "\u{D9}\u{DA}\u{DB}\u{DC}" },
    { "y", "\u{FD}\u{FF}", "\u{DD}" },
  }
  for _, g in ipairs(groups) do
    local base = g[1]:byte()
    local k = 0
    for _, cp in utf8.codes(g[2]) do k = k + 1; latin[cp] = { base, k, 0 } end
    k = 0
    for _, cp in utf8.codes(g[3]) do k = k + 1; latin[cp] = { base, k, 1 } end
  end
end

-- A string's collation key is one byte string whose byte order is the collation order, so
-- that sorting can compare keys natively: primary weights (one byte 3..251 for weights below
-- 250, which covers ASCII and Latin letters; else 252 and three base-254 digits 2..255), a
-- separator byte 1, the secondary (accent) and tertiary (case) bytes, one per weight (each
-- 1..255), and finally the string itself (zero bytes as 1) as the last tie-break. Equal
-- primaries mean equally many weights, so the fixed-width levels after the separator line up.
-- Keys hold no zero byte, so callers can terminate them with "\0" and concatenate them.
local function pack_weight(w)
  if w < 250 then return string.char(w + 2) end
  w = w - 250
  local d3 = w % 254
  local r = w // 254
  return string.char(252, r // 254 + 2, r % 254 + 2, d3 + 2)
end
local ascii_weight = {}    -- one-byte string -> packed primary weight
local ascii_case = {}      -- one-byte string -> tertiary byte
for b = 0, 127 do
  local w = ascii_primary[b] or (60 + b) -- control characters: after punctuation, before digits
  ascii_weight[string.char(b)] = pack_weight(w)
  ascii_case[string.char(b)] = string.char((ascii_tertiary[b] or 0) + 1)
end

-- Per-character key pieces (primary, secondary, tertiary), computed on first use.
local function char_weights(ch)
  local cp = utf8.codepoint(ch)
  if cp < 128 then
    return pack_weight(ascii_primary[cp] or (60 + cp)), "\1", string.char((ascii_tertiary[cp] or 0) + 1)
  elseif cp == 0xDF then -- sharp s sorts as "ss"
    local w = pack_weight(ascii_primary[115])
    return w .. w, "\1\2", "\1\1"
  end
  local l = latin[cp]
  if l then return pack_weight(ascii_primary[l[1]]), string.char(l[2] + 1), string.char(l[3] + 1) end
  return pack_weight(1000 + cp), "\1", "\1"
end
local piece_tables = {}
for level = 1, 3 do
  piece_tables[level] = setmetatable({}, { __index = function(t, ch)
    local p = { char_weights(ch) }
    t[ch] = p[level]
    return p[level]
  end })
end
local primary_of, secondary_of, tertiary_of = piece_tables[1], piece_tables[2], piece_tables[3]
local UTF8_CHAR = "[%z\1-\127\194-\244][\128-\191]*"

local function general_key(s, tail)
  if not utf8.len(s) then return "\1\1" .. tail end -- invalid UTF-8: after "", before all else
  return (s:gsub(UTF8_CHAR, primary_of)) .. "\1" .. (s:gsub(UTF8_CHAR, secondary_of)) ..
    (s:gsub(UTF8_CHAR, tertiary_of)) .. tail
end

--- The collation key of string s (see above): a < b in AQL iff key(a) < key(b) bytewise.
local function collation_key(s)
  if not s:find("[\128-\255]") then
    -- ASCII fast path: per-byte table lookups done by gsub in C
    local tail = s:find("\0", 1, true) and s:gsub("\0", "\1") or s
    return (s:gsub(".", ascii_weight)) .. "\1" .. string.rep("\1", #s) .. (s:gsub(".", ascii_case)) .. tail
  end
  return general_key(s, s:find("\0", 1, true) and s:gsub("\0", "\1") or s)
end
M.collation_key = collation_key

local key_cache, key_cache_size = {}, 0

--- Compares two strings with AQL's (collation based) string order: -1, 0 or 1.
function M.compare_strings(a, b)
  if a == b then return 0 end
  local ka = key_cache[a]
  if not ka then
    ka = collation_key(a)
    if key_cache_size > 20000 then key_cache, key_cache_size = {}, 0 end
    key_cache[a] = ka
    key_cache_size = key_cache_size + 1
  end
  local kb = key_cache[b]
  if not kb then
    kb = collation_key(b)
    key_cache[b] = kb
    key_cache_size = key_cache_size + 1
  end
  return ka < kb and -1 or 1
end
local compare_strings = M.compare_strings

--- A byte string whose byte order is AQL's order, for null, booleans, numbers and strings:
-- a type byte, then an order-preserving encoding (numbers as flipped IEEE doubles, strings as
-- collation keys); never a zero byte. nil for arrays, objects and integers beyond 2^53 (compare those with
-- M.compare). Sorting on these keys avoids calling the comparator from Lua for every pair.
function M.sort_key(v)
  local t = type(v)
  if t == "string" then return "\4" .. collation_key(v) end
  if t == "number" then
    if mtype(v) == "integer" and (v > TWO53 or v < -TWO53) then return nil end
    local x = v + 0.0
    if x == 0 then x = 0.0 end -- -0 and 0 are equal
    local u = string.unpack(">i8", string.pack(">d", x))
    if u < 0 then u = ~u else u = u | math.mininteger end
    return sformat("\3%016x", u) -- hex digits keep the key free of zero bytes
  end
  if v == nil or v == null then return "\1" end
  if t == "boolean" then return v and "\2\2" or "\2\1" end
  return nil
end

local function sorted_keys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys)
  return keys
end
M.sorted_keys = sorted_keys

-- Lua tables keep no key order, but ArangoDB keeps insertion order. Producers that know the order
-- (object literals, MERGE, ...) may record it here; readers use M.keys, which falls back to
-- sorted order for keys that were not recorded.
local key_order = setmetatable({}, { __mode = "k" })

--- Records the attribute order of object t (an array of key names); returns t.
function M.set_key_order(t, keys)
  key_order[t] = keys
  return t
end

--- The attribute names of object t: recorded order first, then the rest sorted.
function M.keys(t)
  local order = key_order[t]
  if not order then return sorted_keys(t) end
  local out, seen = {}, {}
  for _, k in ipairs(order) do
    if t[k] ~= nil and not seen[k] then
      seen[k] = true
      out[#out + 1] = k
    end
  end
  local rest = {}
  for k in pairs(t) do
    if not seen[k] then rest[#rest + 1] = k end
  end
  table.sort(rest)
  for _, k in ipairs(rest) do out[#out + 1] = k end
  return out
end
local keys_of = M.keys

--- AQL's total order: -1, 0 or 1.
local function compare(a, b)
  if a == nil then a = null end
  if b == nil then b = null end
  local ta, tb = type_name(a), type_name(b)
  if ta ~= tb then
    return ORDER[ta] < ORDER[tb] and -1 or 1
  end
  if ta == "null" then
    return 0
  elseif ta == "bool" then
    if a == b then return 0 end
    return a and 1 or -1
  elseif ta == "number" then
    if a == b then return 0 end
    return a < b and -1 or 1
  elseif ta == "string" then
    return compare_strings(a, b)
  elseif ta == "array" then
    local na, nb = #a, #b
    local n = na > nb and na or nb
    for i = 1, n do
      local c = compare(a[i], b[i])
      if c ~= 0 then return c end
    end
    return 0
  end
  -- objects: union of attribute names, sorted; missing attributes count as null
  local keys = {}
  local seen = {}
  for k in pairs(a) do seen[k] = true; keys[#keys + 1] = k end
  for k in pairs(b) do
    if not seen[k] then keys[#keys + 1] = k end
  end
  table.sort(keys)
  for _, k in ipairs(keys) do
    local c = compare(a[k], b[k])
    if c ~= 0 then return c end
  end
  return 0
end
M.compare = compare

function M.equals(a, b)
  return compare(a, b) == 0
end

--- AQL boolean conversion.
function M.truthy(v)
  local t = type(v)
  if t == "boolean" then return v end
  if t == "number" then return v ~= 0 end
  if t == "string" then return v ~= "" end
  if t == "table" then return true end
  return false
end
M.to_bool = M.truthy

--- Parses a string as an AQL number (surrounding whitespace allowed); nil when it is not one.
function M.parse_number(s)
  local t = s:match("^%s*(.-)%s*$")
  if t == "" then return nil end
  -- decimal only: no hex, no "inf"/"nan", no trailing garbage
  if not t:match("^[-+]?%d*%.?%d*[eE][-+]?%d+$") and not t:match("^[-+]?%d*%.?%d*$") then
    return nil
  end
  if not t:match("%d") then return nil end
  local n = tonumber(t)
  if not n then return nil end
  if mtype(n) == "integer" then return n end
  return normalize_number(n)
end
local parse_number = M.parse_number

--- AQL numeric conversion (TO_NUMBER semantics).
function M.to_number(v)
  local t = type(v)
  if t == "number" then
    local n = normalize_number(v)
    if n == null then return 0 end
    return n
  elseif t == "boolean" then
    return v and 1 or 0
  elseif t == "string" then
    local n = parse_number(v)
    if n == nil or n == null then return 0 end
    return n
  elseif t == "table" and getmetatable(v) == array_mt then
    if #v == 0 then return 0 end
    if #v == 1 then return M.to_number(v[1]) end
    return 0
  end
  return 0
end

---------------------------------------------------------------------------------------------
-- Number printing like ArangoDB (shortest round-trip digits, fpconv's layout rules).
---------------------------------------------------------------------------------------------
local function shortest_digits(x)
  -- returns digit string without dot and decimal exponent K so that x = digits * 10^K
  local s
  for p = 0, 16 do
    s = sformat("%." .. p .. "e", x)
    if tonumber(s) == x then break end
  end
  local mant, e = s:match("^([%d%.]+)e([-+]%d+)$")
  local digits = mant:gsub("%.", "")
  digits = digits:gsub("0+$", "")
  if digits == "" then digits = "0" end
  local ndigits = #digits
  return digits, tonumber(e) - (ndigits - 1)
end

function M.number_to_string(x)
  if mtype(x) == "integer" then return sformat("%d", x) end
  if x ~= x or x == math.huge or x == -math.huge then return "null" end
  local i = normalize_number(x)
  if mtype(i) == "integer" then return sformat("%d", i) end
  local neg = x < 0
  if neg then x = -x end
  local digits, K = shortest_digits(x)
  local ndigits = #digits
  local exp = math.abs(K + ndigits - 1)
  local out
  if K >= 0 and exp < ndigits + 7 then
    out = digits .. string.rep("0", K)
  elseif K < 0 and (K > -7 or exp < 4) then
    local offset = ndigits + K
    if offset <= 0 then
      out = "0." .. string.rep("0", -offset) .. digits
    else
      out = digits:sub(1, offset) .. "." .. digits:sub(offset + 1)
    end
  else
    local lim = neg and 17 or 18
    if ndigits > lim then digits = digits:sub(1, lim); ndigits = lim end
    out = digits:sub(1, 1)
    if ndigits > 1 then out = out .. "." .. digits:sub(2) end
    out = out .. "e" .. ((K + #digits - 1) < 0 and "-" or "+") .. tostring(exp)
  end
  return neg and ("-" .. out) or out
end
local number_to_string = M.number_to_string

local escapes = {
  ['"'] = '\\"', ["\\"] = "\\\\", ["\b"] = "\\b", ["\f"] = "\\f",
  ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t",
}
local function quote(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    return escapes[c] or sformat("\\u%04x", c:byte())
  end) .. '"'
end
M.quote = quote

--- Compact JSON text of an AQL value; `order(object)` lists its keys (M.keys order by default,
-- sorted for the canonical form hash_key uses).
local function to_json(v, buf, order)
  local t = type_name(v)
  if t == "null" then
    buf[#buf + 1] = "null"
  elseif t == "bool" then
    buf[#buf + 1] = v and "true" or "false"
  elseif t == "number" then
    buf[#buf + 1] = number_to_string(v)
  elseif t == "string" then
    buf[#buf + 1] = quote(v)
  elseif t == "array" then
    buf[#buf + 1] = "["
    for i = 1, #v do
      if i > 1 then buf[#buf + 1] = "," end
      to_json(v[i], buf, order)
    end
    buf[#buf + 1] = "]"
  else
    buf[#buf + 1] = "{"
    for i, k in ipairs(order(v)) do
      if i > 1 then buf[#buf + 1] = "," end
      buf[#buf + 1] = quote(k)
      buf[#buf + 1] = ":"
      to_json(v[k], buf, order)
    end
    buf[#buf + 1] = "}"
  end
  return buf
end

function M.to_json(v)
  return concat(to_json(v, {}, keys_of))
end

--- A string that is equal for AQL-equal values (for hashing, DISTINCT, COLLECT).
function M.hash_key(v)
  local t = type(v)
  if t == "string" then return "s" .. v end
  if t == "number" then return "n" .. number_to_string(v) end
  if t == "table" then return concat(to_json(v, {}, sorted_keys)) end
  return tostring(v)
end

--- AQL string conversion (TO_STRING semantics).
function M.to_string(v)
  local t = type(v)
  if t == "string" then return v end
  if t == "number" then return number_to_string(v) end
  if t == "boolean" then return v and "true" or "false" end
  if t == "table" then return M.to_json(v) end
  return ""
end

--- AQL array conversion (TO_ARRAY semantics): null -> [], array -> itself, object -> its values.
function M.to_array(v)
  local t = type_name(v)
  if t == "null" then return M.array({}) end
  if t == "array" then return v end
  if t == "object" then
    local out = M.array({})
    for _, k in ipairs(keys_of(v)) do out[#out + 1] = v[k] end
    return out
  end
  return M.array({ v })
end

function M.deep_copy(v)
  if type(v) ~= "table" then return v end
  local out = {}
  for k, x in pairs(v) do out[k] = M.deep_copy(x) end
  if getmetatable(v) == array_mt then
    setmetatable(out, array_mt)
  elseif key_order[v] then
    key_order[out] = key_order[v]
  end
  return out
end

--- Attribute access: null for missing attributes and non-objects.
function M.attribute(v, name)
  if type(v) ~= "table" or getmetatable(v) == array_mt then return null end
  local x = v[name]
  if x == nil then return null end
  return x
end

return M
