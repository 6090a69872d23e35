-- AQL bit functions: operands are integers in [0, 2^32 - 1].
local U = require "arango.devserver.aql.functions.util"
local V = U.V
local def, null = U.def, U.null

local F = {}

local MAXV = 0xFFFFFFFF

local function uint(v)
  if type(v) ~= "number" then return nil end
  local i = math.tointeger(v)
  if not i or i < 0 or i > MAXV then return nil end
  return i
end

local function bits_arg(v)
  local b = uint(v)
  if not b or b > 32 then return nil end
  return b
end

local function mask(bits) return bits == 32 and MAXV or ((1 << bits) - 1) end

local function reducer(name, op)
  def(F, name, 1, 2, function(ctx, a, n)
    local list
    if n == 1 then
      if not V.is_array(a[1]) then return U.type_warning(ctx, name) end
      list = a[1]
    else
      list = { a[1], a[2] }
    end
    local acc
    for _, x in ipairs(list) do
      if x ~= null then
        local i = uint(x)
        if not i then return U.type_warning(ctx, name) end
        acc = acc and op(acc, i) or i
      end
    end
    if acc == nil then return null end
    return acc
  end)
end
reducer("BIT_AND", function(x, y) return x & y end)
reducer("BIT_OR", function(x, y) return x | y end)
reducer("BIT_XOR", function(x, y) return x ~ y end)

def(F, "BIT_CONSTRUCT", 1, 1, function(ctx, a)
  if not V.is_array(a[1]) then return U.type_warning(ctx, "BIT_CONSTRUCT") end
  local v = 0
  for _, p in ipairs(a[1]) do
    local i = uint(p)
    if not i or i > 31 then return U.type_warning(ctx, "BIT_CONSTRUCT") end
    v = v | (1 << i)
  end
  return v
end)

def(F, "BIT_DECONSTRUCT", 1, 1, function(ctx, a)
  local v = uint(a[1])
  if not v then return U.type_warning(ctx, "BIT_DECONSTRUCT") end
  local out = V.array({})
  for i = 0, 31 do
    if v & (1 << i) ~= 0 then out[#out + 1] = i end
  end
  return out
end)

def(F, "BIT_FROM_STRING", 1, 1, function(ctx, a)
  local s = a[1]
  if type(s) ~= "string" or #s > 32 or s:find("[^01]") then return U.type_warning(ctx, "BIT_FROM_STRING") end
  if s == "" then return 0 end
  return tonumber(s, 2)
end)

def(F, "BIT_TO_STRING", 2, 2, function(ctx, a)
  local v, bits = uint(a[1]), bits_arg(a[2])
  if not v or not bits then return U.type_warning(ctx, "BIT_TO_STRING") end
  local out = {}
  for i = bits - 1, 0, -1 do out[#out + 1] = (v >> i) & 1 == 1 and "1" or "0" end
  return table.concat(out)
end)

def(F, "BIT_NEGATE", 2, 2, function(ctx, a)
  local v, bits = uint(a[1]), bits_arg(a[2])
  if not v or not bits then return U.type_warning(ctx, "BIT_NEGATE") end
  return (~v) & mask(bits)
end)

def(F, "BIT_POPCOUNT", 1, 1, function(ctx, a)
  local v = uint(a[1])
  if not v then return U.type_warning(ctx, "BIT_POPCOUNT") end
  local c = 0
  while v ~= 0 do
    c = c + (v & 1)
    v = v >> 1
  end
  return c
end)

local function shift(name, left)
  def(F, name, 3, 3, function(ctx, a)
    local v, s, bits = uint(a[1]), bits_arg(a[2]), bits_arg(a[3])
    if not v or not s or not bits then return U.type_warning(ctx, name) end
    if left then return (v << s) & mask(bits) end
    return (v >> s) & mask(bits)
  end)
end
shift("BIT_SHIFT_LEFT", true)
shift("BIT_SHIFT_RIGHT", false)

def(F, "BIT_TEST", 2, 2, function(ctx, a)
  local v, i = uint(a[1]), uint(a[2])
  if not v or not i or i > 31 then return U.type_warning(ctx, "BIT_TEST") end
  return v & (1 << i) ~= 0
end)

return F
