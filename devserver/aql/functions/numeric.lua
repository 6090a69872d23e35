-- AQL numeric functions. Results are normalized numbers; NaN/Inf become null.
local U = require "arango.devserver.aql.functions.util"
local V = U.V
local def, null = U.def, U.null
local norm = V.normalize_number
local num = U.num

local F = {}

local function unary(name, fn)
  def(F, name, 1, 1, function(_, a) return norm(fn(num(a[1])) + 0.0) end)
end

unary("ABS", math.abs)
unary("ACOS", math.acos)
unary("ASIN", math.asin)
unary("ATAN", math.atan)
unary("CEIL", math.ceil)
unary("FLOOR", math.floor)
unary("COS", math.cos)
unary("SIN", math.sin)
unary("TAN", math.tan)
unary("EXP", math.exp)
unary("EXP2", function(x) return 2.0 ^ x end)
unary("SQRT", function(x) return x < 0 and 0 / 0 or math.sqrt(x) end)
unary("DEGREES", function(x) return x * (180 / math.pi) end)
unary("RADIANS", function(x) return x * (math.pi / 180) end)
unary("LOG", function(x) return x <= 0 and 0 / 0 or math.log(x) end)
unary("LOG2", function(x) return x <= 0 and 0 / 0 or math.log(x, 2) end)
unary("LOG10", function(x) return x <= 0 and 0 / 0 or math.log(x, 10) end)
-- ArangoDB rounds half up (floor(x + 0.5)): ROUND(-2.5) is -2
unary("ROUND", function(x) return math.floor(x + 0.5) end)

def(F, "ATAN2", 2, 2, function(_, a) return norm(math.atan(num(a[1]) + 0.0, num(a[2]) + 0.0)) end)
def(F, "POW", 2, 2, function(_, a) return norm((num(a[1]) + 0.0) ^ num(a[2])) end)
def(F, "PI", 0, 0, function() return math.pi end)
def(F, "RAND", 0, 0, function() return math.random() end)

-- Aggregates over arrays ------------------------------------------------------------------------
--- The numeric members of array v (nulls skipped); nil when v is no array or has non-numbers.
local function numbers(ctx, v, name)
  if not V.is_array(v) then
    U.type_warning(ctx, name)
    return nil
  end
  local out = {}
  for _, x in ipairs(v) do
    if type(x) == "number" then
      out[#out + 1] = x
    elseif x ~= null then
      return nil
    end
  end
  return out
end
F.numbers = numbers

local function sum(list)
  local s = 0.0
  for _, x in ipairs(list) do s = s + x end
  return s
end

def(F, "SUM", 1, 1, function(ctx, a)
  local l = numbers(ctx, a[1], "SUM")
  if not l then return null end
  return norm(sum(l))
end)

def(F, "PRODUCT", 1, 1, function(ctx, a)
  local l = numbers(ctx, a[1], "PRODUCT")
  if not l then return null end
  local p = 1.0
  for _, x in ipairs(l) do p = p * x end
  return norm(p)
end)

def(F, "AVERAGE", 1, 1, function(ctx, a)
  local l = numbers(ctx, a[1], "AVERAGE")
  if not l or #l == 0 then return null end
  return norm(sum(l) / #l)
end)

local function extreme(name, want)
  def(F, name, 1, 1, function(ctx, a)
    local v = a[1]
    if not V.is_array(v) then return U.type_warning(ctx, name) end
    local best = null
    for _, x in ipairs(v) do
      if x ~= null and (best == null or V.compare(x, best) == want) then best = x end
    end
    return best
  end)
end
extreme("MAX", 1)
extreme("MIN", -1)

local function variance(l, sample)
  local n = #l
  if n == 0 or (sample and n < 2) then return nil end
  local mean = sum(l) / n
  local sq = 0.0
  for _, x in ipairs(l) do sq = sq + (x - mean) ^ 2 end
  return sq / (sample and (n - 1) or n)
end

local function var_fn(name, sample, root)
  def(F, name, 1, 1, function(ctx, a)
    local l = numbers(ctx, a[1], name)
    if not l then return null end
    local v = variance(l, sample)
    if not v then return null end
    return norm(root and math.sqrt(v) or v)
  end)
end
var_fn("VARIANCE_POPULATION", false, false)
var_fn("VARIANCE_SAMPLE", true, false)
var_fn("STDDEV_POPULATION", false, true)
var_fn("STDDEV_SAMPLE", true, true)

def(F, "MEDIAN", 1, 1, function(ctx, a)
  local l = numbers(ctx, a[1], "MEDIAN")
  if not l or #l == 0 then return null end
  table.sort(l)
  local n = #l
  if n % 2 == 1 then return l[(n + 1) // 2] end
  return norm((l[n // 2] + l[n // 2 + 1]) / 2)
end)

def(F, "PERCENTILE", 2, 3, function(ctx, a, n)
  local l = numbers(ctx, a[1], "PERCENTILE")
  if not l or #l == 0 then return null end
  local p = a[2]
  if type(p) ~= "number" or p <= 0 or p > 100 then return U.type_warning(ctx, "PERCENTILE") end
  local method = n >= 3 and a[3] or "rank"
  table.sort(l)
  local count = #l
  if method == "interpolation" then
    local pos = p / 100 * (count + 1)
    if pos < 1 then return l[1] end
    if pos >= count then return l[count] end
    local lo = math.floor(pos)
    local frac = pos - lo
    return norm(l[lo] + frac * (l[lo + 1] - l[lo]))
  elseif method == "rank" then
    local idx = math.ceil(p / 100 * count)
    if idx < 1 then idx = 1 end
    return l[idx]
  end
  return U.type_warning(ctx, "PERCENTILE")
end)

def(F, "RANGE", 2, 3, function(ctx, a, n)
  local start, stop = num(a[1]), num(a[2])
  local step
  if n >= 3 and a[3] ~= null then
    step = num(a[3])
    if step == 0 or (start < stop and step < 0) or (start > stop and step > 0) then
      return U.type_warning(ctx, "RANGE")
    end
  else
    -- without a step, the bounds are truncated to integers
    start, stop = U.int(start), U.int(stop)
    step = start <= stop and 1 or -1
  end
  local out = V.array({})
  -- in floats: stop - start overflows int64 for far-apart integer bounds
  if (stop * 1.0 - start * 1.0) / step > 10000000 then return U.warn(ctx, 32) end
  local i, prev = 0, nil
  while true do
    local x = start + i * step
    if (step > 0 and x > stop) or (step < 0 and x < stop) then break end
    -- no progress means the end: an integer wrapped past math.maxinteger, or a float too
    -- large for the step to change it (RANGE(1e308, 1e308) would otherwise never end)
    if prev and ((step > 0 and x <= prev) or (step < 0 and x >= prev)) then break end
    out[#out + 1] = norm(x)
    prev = x
    i = i + 1
  end
  return out
end)

-- Vector similarity --------------------------------------------------------------------------------
local function vector(v)
  if not V.is_array(v) or #v == 0 then return nil end
  for _, x in ipairs(v) do if type(x) ~= "number" then return nil end end
  return v
end

local function vector_fn(name, fn)
  def(F, name, 2, 2, function(ctx, a)
    local x, y = a[1], a[2]
    if V.is_array(x) and V.is_array(x[1]) then
      local yv = vector(y)
      if not yv then return U.type_warning(ctx, name) end
      local out = V.array({})
      for i, row in ipairs(x) do
        local rv = vector(row)
        if not rv or #rv ~= #yv then return U.type_warning(ctx, name) end
        out[i] = norm(fn(rv, yv))
      end
      return out
    end
    local xv, yv = vector(x), vector(y)
    if not xv or not yv or #xv ~= #yv then return U.type_warning(ctx, name) end
    return norm(fn(xv, yv))
  end)
end

vector_fn("COSINE_SIMILARITY", function(x, y)
  local dot, nx, ny = 0.0, 0.0, 0.0
  for i = 1, #x do
    dot = dot + x[i] * y[i]
    nx = nx + x[i] * x[i]
    ny = ny + y[i] * y[i]
  end
  return dot / math.sqrt(nx * ny)
end)
vector_fn("L1_DISTANCE", function(x, y)
  local d = 0.0
  for i = 1, #x do d = d + math.abs(x[i] - y[i]) end
  return d
end)
vector_fn("L2_DISTANCE", function(x, y)
  local d = 0.0
  for i = 1, #x do d = d + (x[i] - y[i]) ^ 2 end
  return math.sqrt(d)
end)

-- Decay functions (as in Elasticsearch's function score) ----------------------------------------
local function decay_fn(name, fn)
  def(F, name, 5, 5, function(ctx, a)
    local origin, scale, offset, decay = a[2], a[3], a[4], a[5]
    for _, x in ipairs({ origin, scale, offset, decay }) do
      if type(x) ~= "number" then return U.type_warning(ctx, name) end
    end
    if scale <= 0 or offset < 0 or decay <= 0 or decay >= 1 then return U.type_warning(ctx, name) end
    local function one(v)
      local d = math.max(0, math.abs(v - origin) - offset)
      return norm(fn(d, scale, decay) + 0.0)
    end
    if V.is_array(a[1]) then
      local out = V.array({})
      for i, v in ipairs(a[1]) do
        if type(v) ~= "number" then return U.type_warning(ctx, name) end
        out[i] = one(v)
      end
      return out
    end
    if type(a[1]) ~= "number" then return U.type_warning(ctx, name) end
    return one(a[1])
  end)
end
decay_fn("DECAY_GAUSS", function(d, scale, decay)
  local sigma2 = -(scale ^ 2) / (2 * math.log(decay))
  return math.exp(-(d ^ 2) / (2 * sigma2))
end)
decay_fn("DECAY_EXP", function(d, scale, decay)
  return math.exp(math.log(decay) / scale * d)
end)
decay_fn("DECAY_LINEAR", function(d, scale, decay)
  local s = scale / (1 - decay)
  return math.max((s - d) / s, 0)
end)

return F
