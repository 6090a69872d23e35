-- AQL expression compiler: turns expression AST nodes (parser.lua) into Lua closures
-- `function(row) -> value` over a row table (variable name -> value). Compiling once per query
-- keeps per-row evaluation to plain function calls.
local V = require "arango.devserver.aql.values"
local functions = require "arango.devserver.aql.functions"

local M = {}

local null = V.null
local array_mt = V.array_mt
local compare = V.compare
local truthy = V.truthy
local to_number = V.to_number
local normalize = V.normalize_number
local mtype = math.type
local setmetatable = setmetatable

local function is_array(v) return type(v) == "table" and getmetatable(v) == array_mt end
local function new_array(t) return setmetatable(t or {}, array_mt) end
M.is_array = is_array
M.new_array = new_array

-- Arithmetic with AQL's number semantics: operands convert to numbers, results that are not
-- finite become null; integer overflow falls back to doubles (AQL numbers are doubles).
local TWO63 = 2.0 ^ 63

local function arith(op, a, b, q)
  if type(a) ~= "number" then a = to_number(a) end
  if type(b) ~= "number" then b = to_number(b) end
  local r
  if op == "+" then
    r = a + b
    if mtype(r) == "integer" then
      local f = (a + 0.0) + b
      if f >= TWO63 or f < -TWO63 then r = f end
    end
  elseif op == "-" then
    r = a - b
    if mtype(r) == "integer" then
      local f = (a + 0.0) - b
      if f >= TWO63 or f < -TWO63 then r = f end
    end
  elseif op == "*" then
    r = a * b
    if mtype(r) == "integer" then
      local f = (a + 0.0) * b
      if f >= TWO63 or f < -TWO63 then r = f end
    end
  elseif op == "/" then
    if b == 0 then
      q:warn(1562, "division by zero")
      return null
    end
    r = a / b
  else -- %
    if b == 0 then
      q:warn(1562, "division by zero")
      return null
    end
    r = math.fmod(a, b)
  end
  return normalize(r)
end
M.arith = arith

-- Array/object index access: negative array indexes count from the end.
local function index_value(obj, idx)
  if type(obj) ~= "table" then return null end
  if getmetatable(obj) == array_mt then
    local t = type(idx)
    if t == "string" then
      idx = V.parse_number(idx)
      if idx == nil then return null end
    elseif t ~= "number" then
      return null
    end
    local i = math.tointeger(idx)
    if not i then
      if idx ~= idx then return null end
      i = idx >= 0 and math.floor(idx) or math.ceil(idx)
      i = math.tointeger(i)
      if not i then return null end
    end
    if i < 0 then i = #obj + i end
    local v = obj[i + 1]
    if v == nil then return null end
    return v
  end
  local key
  if type(idx) == "string" then key = idx
  elseif type(idx) == "number" then key = V.number_to_string(idx)
  else return null end
  local v = obj[key]
  if v == nil then return null end
  return v
end
M.index_value = index_value

local function flatten_into(out, v, depth)
  for i = 1, #v do
    local x = v[i]
    if depth > 0 and is_array(x) then flatten_into(out, x, depth - 1)
    else out[#out + 1] = x end
  end
end

local function to_int(v)
  local n = to_number(v)
  if mtype(n) == "float" then n = math.tointeger(n >= 0 and math.floor(n) or math.ceil(n)) or 0 end
  return n
end
M.to_int = to_int

local compile

-- Compiles a list of nodes; returns the closure list.
local function compile_list(nodes, q)
  local out = {}
  for i, n in ipairs(nodes) do out[i] = compile(n, q) end
  return out
end

-- Evaluates `fn` with CURRENT bound to each element; the row is copied once per evaluation
-- so that nested expansions can rebind CURRENT without touching the caller's row.
local function scratch_row(row)
  local r = {}
  for k, v in pairs(row) do r[k] = v end
  return r
end

local function comparator(op)
  if op == "==" then return function(a, b) return compare(a, b) == 0 end
  elseif op == "!=" then return function(a, b) return compare(a, b) ~= 0 end
  elseif op == "<" then return function(a, b) return compare(a, b) < 0 end
  elseif op == "<=" then return function(a, b) return compare(a, b) <= 0 end
  elseif op == ">" then return function(a, b) return compare(a, b) > 0 end
  elseif op == ">=" then return function(a, b) return compare(a, b) >= 0 end
  elseif op == "in" or op == "not in" then
    local neg = op == "not in"
    return function(a, b)
      local found = false
      if is_array(b) then
        for i = 1, #b do
          if compare(a, b[i]) == 0 then found = true; break end
        end
      end
      if neg then return not found end
      return found
    end
  end
  error("unknown comparison " .. tostring(op))
end
M.comparator = comparator

-- Constant folding: true when the node's value cannot depend on rows or side effects.
local function constant_value(node, q)
  local t = node.type
  if t == "value" then
    if node.is_null then return true, null end
    local v = node.value
    if type(v) == "number" then v = normalize(v) end
    return true, v
  elseif t == "bind" and not node.attr_bind then
    return true, q:bind_value(node.name)
  elseif t == "array" then
    local out = new_array()
    for i, e in ipairs(node.elements) do
      local ok, v = constant_value(e, q)
      if not ok then return false end
      out[i] = v
    end
    return true, out
  elseif t == "object" then
    local out, order = {}, {}
    for _, m in ipairs(node.members) do
      if not m.key then return false end
      local ok, v = constant_value(m.value, q)
      if not ok then return false end
      if out[m.key] == nil then order[#order + 1] = m.key end
      out[m.key] = v
    end
    -- attribute order is the literal's order (VALUES, ENTRIES ... follow it)
    return true, V.set_key_order(out, order)
  end
  return false
end
M.constant_value = constant_value

local builders = {}

function builders.value(node, q)
  local _, v = constant_value(node, q)
  return function() return v end
end

function builders.bind(node, q)
  local v = q:bind_value(node.name)
  return function() return v end
end

function builders.bindcol(node, q)
  local name = q:bindcol_value(node.name)
  return function() return q:collection_array(name) end
end

function builders.collection(node, q)
  local name = node.name
  q:check_collection(name)
  return function() return q:collection_array(name) end
end

function builders.ref(node)
  local name = node.name
  return function(row)
    local v = row[name]
    if v == nil then return null end
    return v
  end
end

function builders.attr(node, q)
  local name = node.name
  local obj = compile(node.object, q)
  return function(row)
    local o = obj(row)
    if type(o) ~= "table" or getmetatable(o) == array_mt then return null end
    local v = o[name]
    if v == nil then return null end
    return v
  end
end

function builders.index(node, q)
  local obj = compile(node.object, q)
  local idx = compile(node.index, q)
  return function(row) return index_value(obj(row), idx(row)) end
end

function builders.array(node, q)
  local ok, cv = constant_value(node, q)
  if ok then return function() return cv end end
  local elems = compile_list(node.elements, q)
  local n = #elems
  return function(row)
    local out = {}
    for i = 1, n do out[i] = elems[i](row) end
    return setmetatable(out, array_mt)
  end
end

function builders.object(node, q)
  local ok, cv = constant_value(node, q)
  if ok then return function() return cv end end
  local members = {}
  for i, m in ipairs(node.members) do
    members[i] = { key = m.key, key_fn = m.key_expr and compile(m.key_expr, q), value = compile(m.value, q) }
  end
  return function(row)
    local out, order = {}, {}
    for i = 1, #members do
      local m = members[i]
      local k = m.key
      if not k then
        k = m.key_fn(row)
        if type(k) ~= "string" then k = V.to_string(k) end
      end
      if out[k] == nil then order[#order + 1] = k end
      out[k] = m.value(row)
    end
    return V.set_key_order(out, order)
  end
end

function builders.unary(node, q)
  local f = compile(node.operand, q)
  if node.op == "not" then
    return function(row) return not truthy(f(row)) end
  elseif node.op == "-" then
    return function(row)
      local v = f(row)
      if type(v) ~= "number" then v = to_number(v) end
      if v == math.mininteger then return normalize(-(v + 0.0)) end
      return normalize(-v)
    end
  end
  return function(row)
    local v = f(row)
    if type(v) ~= "number" then v = to_number(v) end
    return v
  end
end

builders["and"] = function(node, q)
  local a, b = compile(node.left, q), compile(node.right, q)
  return function(row)
    local x = a(row)
    if not truthy(x) then return x end
    return b(row)
  end
end

builders["or"] = function(node, q)
  local a, b = compile(node.left, q), compile(node.right, q)
  return function(row)
    local x = a(row)
    if truthy(x) then return x end
    return b(row)
  end
end

function builders.ternary(node, q)
  local c = compile(node.cond, q)
  if node.other then
    local o = compile(node.other, q)
    return function(row)
      local x = c(row)
      if truthy(x) then return x end
      return o(row)
    end
  end
  local a, b = compile(node.a, q), compile(node.b, q)
  return function(row)
    if truthy(c(row)) then return a(row) end
    return b(row)
  end
end

-- Calls a registered AQL function by name with already evaluated arguments.
local function call_function(q, name, args)
  local e = functions.lookup(name)
  return e.call(q, args, #args)
end

function builders.binary(node, q)
  local op = node.op
  local a, b = compile(node.left, q), compile(node.right, q)
  if op == "+" or op == "-" or op == "*" or op == "/" or op == "%" then
    return function(row) return arith(op, a(row), b(row), q) end
  end
  if op == "like" or op == "not like" then
    local neg = op == "not like"
    return function(row)
      local r = call_function(q, "LIKE", { a(row), b(row) })
      if neg then return not truthy(r) end
      return r
    end
  end
  if op == "=~" or op == "!~" then
    local neg = op == "!~"
    return function(row)
      local r = call_function(q, "REGEX_TEST", { a(row), b(row) })
      if neg then
        if r == null then return null end
        return not truthy(r)
      end
      return r
    end
  end
  local cmp = comparator(op)
  return function(row) return cmp(a(row), b(row)) end
end

function builders.quantified(node, q)
  local a, b = compile(node.left, q), compile(node.right, q)
  local cmp = comparator(node.op)
  local quant = node.quant
  local count = node.count and compile(node.count, q)
  return function(row)
    local arr = a(row)
    local right = b(row)
    if not is_array(arr) then return false end
    local hits = 0
    for i = 1, #arr do
      if cmp(arr[i], right) then hits = hits + 1 end
    end
    if quant == "all" then return hits == #arr
    elseif quant == "any" then return hits > 0
    elseif quant == "none" then return hits == 0 end
    return hits >= to_int(count(row))
  end
end

-- A range operator materializes its array; past this many values that is a runaway
-- (1..1e18 would exhaust memory), so it fails with the resource-limit error instead.
local MAX_RANGE = 10000000
M.MAX_RANGE = MAX_RANGE

function builders.range(node, q)
  local a, b = compile(node.from, q), compile(node.to, q)
  return function(row)
    local from, to = to_int(a(row)), to_int(b(row))
    -- the span is computed in floats: to - from overflows int64 for far-apart bounds
    if math.abs(to * 1.0 - from * 1.0) >= MAX_RANGE then
      q:runtime_fail(400, 32, string.format("resource limit exceeded: range %d..%d has more than %d values",
        from, to, MAX_RANGE))
    end
    local n = (to >= from) and (to - from + 1) or (from - to + 1)
    q:account(n * 16)
    local out = {}
    if to >= from then
      for i = 1, n do out[i] = from + i - 1 end
    else
      for i = 1, n do out[i] = from - i + 1 end
    end
    return setmetatable(out, array_mt)
  end
end

function builders.call(node, q)
  local name = node.name
  if name:find("::", 1, true) then
    return q:user_function(node)
  end
  local e = functions.lookup(name)
  if not e then
    q:parse_fail(1540, string.format("usage of unknown function '%s()'", name))
  end
  local nargs = #node.args
  local max = e.max_args or math.huge
  if nargs < (e.min_args or 0) or nargs > max then
    q:parse_fail(1541, string.format(
      "invalid number of arguments for function '%s()', expected number of arguments: " ..
      "minimum: %d, maximum: %d",
      name, e.min_args or 0, (max == math.huge or max > 1000000) and 65536 or max))
  end
  -- Functions that take collection names may be given a bare collection identifier
  -- (`DOCUMENT(users, "alice")`): collection_args maps an argument position to the least
  -- argument count at which that position is a collection name.
  local args = {}
  for i, a in ipairs(node.args) do
    local min_n = e.collection_args and e.collection_args[i]
    if a.type == "collection" and min_n and nargs >= min_n then
      local cname = a.name
      args[i] = function() return cname end
    else
      args[i] = compile(a, q)
    end
  end
  local call = e.call
  if nargs == 0 then
    return function() return call(q, {}, 0) end
  elseif nargs == 1 then
    local a1 = args[1]
    return function(row)
      local v = call(q, { a1(row) }, 1)
      if v == nil then return null end
      return v
    end
  end
  return function(row)
    local vals = {}
    for i = 1, nargs do vals[i] = args[i](row) end
    local v = call(q, vals, nargs)
    if v == nil then return null end
    return v
  end
end

function builders.subquery(node, q)
  local run = q:compile_subquery(node.body)
  return function(row) return run(row) end
end

function builders.expand(node, q)
  local obj = compile(node.object, q)
  local filter = node.filter and compile(node.filter, q)
  local offset = node.offset and compile(node.offset, q)
  local limit = node.limit and compile(node.limit, q)
  local project = node.project and compile(node.project, q)
  local tail = node.tail and compile(node.tail, q)
  local flatten = node.flatten
  return function(row)
    local v = obj(row)
    if not is_array(v) then return new_array() end
    if flatten > 0 then
      local flat = {}
      flatten_into(flat, v, flatten)
      v = flat
    end
    local out = {}
    local r = scratch_row(row)
    local skip = offset and to_int(offset(r)) or 0
    local count = limit and to_int(limit(r)) or math.maxinteger
    for i = 1, #v do
      if count <= 0 then break end
      local item = v[i]
      r.CURRENT = item
      if not filter or truthy(filter(r)) then
        if skip > 0 then
          skip = skip - 1
        else
          count = count - 1
          if project then item = project(r); r.CURRENT = item end
          if tail then item = tail(r) end
          out[#out + 1] = item
        end
      end
    end
    return setmetatable(out, array_mt)
  end
end

function builders.question(node, q)
  local obj = compile(node.object, q)
  local filter = node.filter and compile(node.filter, q)
  local min = node.min and compile(node.min, q)
  local max = node.max and compile(node.max, q)
  local quant = node.quant
  return function(row)
    local v = obj(row)
    if not is_array(v) then return false end
    local r = scratch_row(row)
    local hits = 0
    for i = 1, #v do
      r.CURRENT = v[i]
      if not filter or truthy(filter(r)) then hits = hits + 1 end
    end
    if quant == "any" then return hits > 0
    elseif quant == "all" then return hits == #v
    elseif quant == "none" then return hits == 0
    elseif quant == "atleast" then return hits >= to_int(min(r))
    elseif quant == "exact" then return hits == to_int(min(r)) end
    return hits >= to_int(min(r)) and hits <= to_int(max(r))
  end
end

function compile(node, q)
  local b = builders[node.type]
  if not b then error("cannot compile AQL node " .. tostring(node.type)) end
  return b(node, q)
end
M.compile = compile

return M
