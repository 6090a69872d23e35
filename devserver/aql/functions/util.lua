-- Shared helpers of the AQL function library: entry definition, argument checks, warnings,
-- UTF-8 character helpers (AQL string functions count characters, not bytes).
local V = require "arango.devserver.aql.values"
local errors = require "arango.devserver.errors"

local M = {}

local null = V.null

--- Adds an entry { name, min_args, max_args, call } to the category table t.
function M.def(t, name, min_args, max_args, call, extra)
  local entry = { name = name, min_args = min_args, max_args = max_args, call = call }
  if extra then
    for k, v in pairs(extra) do entry[k] = v end
  end
  t[name] = entry
  return entry
end

--- Warning 1542 (invalid argument type) for function `name`; returns null for tail calls.
function M.type_warning(ctx, name)
  ctx:warn(1542, errors.message(1542, name))
  return null
end

function M.warn(ctx, num, ...)
  ctx:warn(num, errors.message(num, ...))
  return null
end

function M.fail(ctx, num, ...)
  return ctx:fail(num, errors.message(num, ...))
end

--- Argument i or null when absent.
function M.arg(args, i, n)
  if i > n then return null end
  local v = args[i]
  if v == nil then return null end
  return v
end

-- UTF-8 -----------------------------------------------------------------------------------

--- Number of characters (bytes for invalid UTF-8).
function M.ulen(s)
  return utf8.len(s) or #s
end

--- Splits s into an array of characters.
function M.chars(s)
  local out = {}
  if utf8.len(s) then
    for _, cp in utf8.codes(s) do out[#out + 1] = utf8.char(cp) end
  else
    for i = 1, #s do out[#out + 1] = s:sub(i, i) end
  end
  return out
end

--- Codepoints of s (bytes for invalid UTF-8).
function M.codepoints(s)
  local out = {}
  if utf8.len(s) then
    for _, cp in utf8.codes(s) do out[#out + 1] = cp end
  else
    for i = 1, #s do out[#out + 1] = s:byte(i) end
  end
  return out
end

--- Characters i..j (1-based, inclusive) of s.
function M.usub(s, i, j)
  local len = M.ulen(s)
  if len == #s then return s:sub(i, j) end
  if j == nil or j > len then j = len end
  if i < 1 then i = 1 end
  if i > j then return "" end
  local bi = utf8.offset(s, i)
  local bj = utf8.offset(s, j + 1)
  return s:sub(bi, (bj or #s + 1) - 1)
end

--- Character index (1-based) of byte position b in s.
function M.char_index(s, b)
  if b <= 1 then return b end
  return (utf8.len(s, 1, b - 1) or (b - 1)) + 1
end

-- Case mapping for ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic basics.
local lower_map, upper_map = {}, {}
do
  local function pair(u, l) lower_map[u] = l; upper_map[l] = u end
  for c = 0xC0, 0xDE do if c ~= 0xD7 then pair(c, c + 32) end end
  for c = 0x100, 0x17F, 2 do
    if not (c >= 0x138 and c <= 0x148) then pair(c, c + 1) end
  end
  for c = 0x139, 0x147, 2 do pair(c, c + 1) end
  for c = 0x391, 0x3A9 do if c ~= 0x3A2 then pair(c, c + 32) end end
  for c = 0x410, 0x42F do pair(c, c + 32) end
  for c = 0x400, 0x40F do pair(c, c + 80) end
  upper_map[0xFF] = 0x178; lower_map[0x178] = 0xFF
end

local function map_case(s, ascii_fn, map)
  if not s:find("[\128-\255]") or not utf8.len(s) then return ascii_fn(s) end
  local out = {}
  for _, cp in utf8.codes(s) do
    if cp < 128 then
      out[#out + 1] = ascii_fn(string.char(cp))
    else
      out[#out + 1] = utf8.char(map[cp] or cp)
    end
  end
  return table.concat(out)
end

function M.lower(s) return map_case(s, string.lower, lower_map) end
function M.upper(s) return map_case(s, string.upper, upper_map) end

--- Escapes Lua pattern magic characters.
function M.pattern_escape(s)
  return (s:gsub("[%^%$%(%)%%%.%[%]%*%+%-%?]", "%%%0"))
end

--- Plain (non-pattern) find.
function M.find_plain(s, needle, init)
  return string.find(s, needle, init or 1, true)
end

--- Number argument as a Lua number, with AQL's conversion.
function M.num(v)
  if type(v) == "number" then return v end
  return V.to_number(v)
end

--- Integer (truncated towards zero) of a value.
function M.int(v)
  local x = M.num(v)
  if math.type(x) == "integer" then return x end
  if x ~= x then return 0 end
  if x >= 2 ^ 63 then return math.maxinteger end
  if x <= -2 ^ 63 then return math.mininteger end
  local i = x >= 0 and math.floor(x) or math.ceil(x)
  return math.tointeger(i) or 0
end

M.null = null
M.V = V

return M
