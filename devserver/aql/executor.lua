-- AQL statement execution: each statement becomes a stage `function(input, base) -> iterator`
-- over rows (tables variable -> value). Rows stream through FOR/FILTER/LET/LIMIT/modifications;
-- SORT, COLLECT and WINDOW materialize their input. RETURN turns rows into values.
local V = require "arango.devserver.aql.values"
local compiler = require "arango.devserver.aql.compiler"
local functions = require "arango.devserver.aql.functions"
local errors = require "arango.devserver.errors"

local M = {}

local null = V.null
local array_mt = V.array_mt
local compare = V.compare
local truthy = V.truthy
local compile = compiler.compile
local is_array = compiler.is_array
local to_int = compiler.to_int
local hash_key = V.hash_key
local concat = table.concat

local function copy_row(r)
  local n = {}
  for k, v in pairs(r) do n[k] = v end
  return n
end
M.copy_row = copy_row

local function type_desc(v)
  local t = V.type_name(v)
  if t == "bool" then return "boolean" end
  return t
end

local stages = {}

-- Assigns the parts of `v` to the variables of a destructuring pattern (missing parts: null).
local function destructure(row, pattern, v)
  if v == nil then v = null end
  if pattern.kind == "var" then
    row[pattern.name] = v
  elseif pattern.kind == "array" then
    local is_arr = is_array(v)
    for i = 1, pattern.n do
      local p = pattern.items[i]
      if p then destructure(row, p, is_arr and v[i] or null) end
    end
  else
    local is_obj = type(v) == "table" and not is_array(v)
    for _, m in ipairs(pattern.members) do
      destructure(row, m.target, is_obj and v[m.key] or null)
    end
  end
end
M.destructure = destructure

-- True when AST `node` mentions variable `name`.
local function mentions(node, name)
  if type(node) ~= "table" then return false end
  if node.type == "ref" and node.name == name then return true end
  for _, v in pairs(node) do
    if type(v) == "table" and mentions(v, name) then return true end
  end
  return false
end

-- `FOR d IN c FILTER d.<attr> == expr` (either side, expr not using d) where `accepts(attr)`:
-- returns the attribute name and the value expression, or nil.
local function equality_on_var(stmt, next_stmt, accepts)
  if not next_stmt or next_stmt.type ~= "filter" then return nil end
  local e = next_stmt.expr
  if e.type ~= "binary" or e.op ~= "==" then return nil end
  local var = stmt.vars[1]
  for _, pair in ipairs({ { e.left, e.right }, { e.right, e.left } }) do
    local a, b = pair[1], pair[2]
    if a.type == "attr" and a.object.type == "ref" and a.object.name == var and not mentions(b, var)
        and accepts(a.name) then
      return a.name, b
    end
  end
  return nil
end

local function is_key_attr(name) return name == "_key" or name == "_id" end

-- Primary-index lookup: `FOR d IN c FILTER d._key == expr` (expr not using d) reads one
-- document instead of scanning, like ArangoDB's primary index. Returns the key expression.
local function key_lookup(stmt, next_stmt)
  local _, b = equality_on_var(stmt, next_stmt, is_key_attr)
  return b
end
M.key_lookup = key_lookup

-- Equality on a plain attribute: `FOR d IN c FILTER d.attr == expr` (expr not using d).
-- Returns the attribute name and the value expression.
local function attr_equality(stmt, next_stmt)
  return equality_on_var(stmt, next_stmt, function(name)
    return name:match("^[%a_][%w_%-]*$") ~= nil and not is_key_attr(name)
  end)
end
M.attr_equality = attr_equality

--- The unique single-field persistent (or hash) index of `col` on `attr`, if there is one.
function M.unique_index(col, attr)
  for i = 2, #col.indexes do
    local idx = col.indexes[i]
    if idx.type == "persistent" and idx.unique and idx.entries and #idx.fields == 1
        and idx.fields[1] == attr then
      return idx
    end
  end
  return nil
end

--- The single-field persistent (or hash) index of `col` that answers equality on `attr`:
-- a unique one when there is one, else a non-unique one; nil when none.
function M.lookup_index(col, attr)
  local found = M.unique_index(col, attr)
  if found then return found end
  for i = 2, #col.indexes do
    local idx = col.indexes[i]
    if idx.type == "persistent" and idx.multi and #idx.fields == 1 and idx.fields[1] == attr then
      return idx
    end
  end
  return nil
end

-- The nested loop every FOR shares: for each input row `open(row)` gives an iterator over the
-- values the loop variable takes for that row (it may raise for a bad operand); each value v
-- becomes a copy of the row with `var` (and the destructuring `pattern`, if any) bound to v,
-- handed out unless `keep(row)` says no. Every value handed to the variable ticks the query.
local function nested_loop(q, input, var, open, pattern, keep)
  local row, it
  return function()
    while true do
      if it then
        local v = it()
        if v ~= nil then
          q:tick()
          local r = copy_row(row)
          r[var] = v
          if pattern then destructure(r, pattern, v) end
          if not keep or keep(r) then return r end
        else
          it = nil
        end
      end
      row = input()
      if not row then return nil end
      it = open(row)
    end
  end
end

-- FOR over a collection or an expression ---------------------------------------------------
function stages.for_(stmt, q, next_stmt)
  local var = stmt.vars[1]
  local src = stmt.source
  local coll_name
  if src.type == "collection" then
    coll_name = src.name
    q:check_collection(coll_name)
  elseif src.type == "bindcol" then
    coll_name = q:bindcol_value(src.name)
  end
  local search = stmt.search and compile(stmt.search, q)
  local pattern = stmt.pattern
  local key_expr = coll_name and not search and key_lookup(stmt, next_stmt)
  if key_expr then
    local key_f = compile(key_expr, q)
    local stats = q.stats
    return function(input)
      return function()
        while true do
          local row = input()
          if not row then return nil end
          local key = key_f(row)
          stats.cursorsCreated = stats.cursorsCreated + 1
          if type(key) == "string" then
            local d = q:collection(coll_name):get(key)
            if d then
              stats.scannedIndex = stats.scannedIndex + 1
              stats.documentLookups = stats.documentLookups + 1
              local r = copy_row(row)
              r[var] = d
              return r
            end
          end
        end
      end
    end
  end
  local eq_attr, eq_expr
  if coll_name and not search and not key_expr then eq_attr, eq_expr = attr_equality(stmt, next_stmt) end
  if eq_attr and M.lookup_index(q:collection(coll_name), eq_attr) then
    -- served by an index: one lookup per input row instead of a scan ("use-indexes"); the
    -- FILTER still runs on what the index hands out
    local value_f = compile(eq_expr, q)
    local stats = q.stats
    local function open(row)
      local col = q:collection(coll_name)
      local idx = M.lookup_index(col, eq_attr)
      local v = value_f(row)
      stats.cursorsCreated = stats.cursorsCreated + 1
      local keys = idx and not (idx.sparse and v == null) and idx:lookup_keys({ [eq_attr] = v })
      if keys then
        -- hand the documents out in insertion order, as a scan would
        local pos = col.pos
        if #keys > 1 then table.sort(keys, function(a, b) return pos[a] < pos[b] end) end
        local i = 0
        return function()
          while i < #keys do
            i = i + 1
            local d = col:get(keys[i])
            if d then
              stats.scannedIndex = stats.scannedIndex + 1
              return d
            end
          end
          return nil
        end
      end
      -- the index is gone (or does not cover null): scan
      local scan = q:scan(coll_name)
      return function()
        local d = scan()
        if d then stats.scannedFull = stats.scannedFull + 1 end
        return d
      end
    end
    return function(input) return nested_loop(q, input, var, open) end
  end
  if coll_name then
    local function open()
      local scan = q:scan(coll_name)
      return function()
        local d = scan()
        if d then q.stats.scannedFull = q.stats.scannedFull + 1 end
        return d
      end
    end
    local keep = search and function(r) return truthy(search(r)) end
    return function(input) return nested_loop(q, input, var, open, nil, keep) end
  end
  if src.type == "range" then
    -- FOR over a range counts instead of building the array first (1..10000000 is cheap)
    local from_f, to_f = compile(src.from, q), compile(src.to, q)
    local function open(row)
      local cur, last = to_int(from_f(row)), to_int(to_f(row))
      local step = last >= cur and 1 or -1
      local done = false
      return function()
        if done then return nil end
        local v = cur
        -- stop on reaching `last` rather than stepping past it: past math.maxinteger the
        -- counter would wrap around and the loop never end
        if v == last then done = true else cur = cur + step end
        return v
      end
    end
    return function(input) return nested_loop(q, input, var, open, pattern) end
  end
  local expr = compile(src, q)
  local function open(row)
    local arr = expr(row)
    if not is_array(arr) then
      q:runtime_fail(400, 1563, string.format(
        "collection or array expected as operand to FOR loop; you provided a value of type '%s'",
        type_desc(arr)))
    end
    local i, n = 0, #arr
    return function()
      if i >= n then return nil end
      i = i + 1
      local v = arr[i]
      if v == nil then v = null end
      return v
    end
  end
  return function(input) return nested_loop(q, input, var, open, pattern) end
end

function stages.filter(stmt, q)
  local f = compile(stmt.expr, q)
  local stats = q.stats
  return function(input)
    return function()
      while true do
        local r = input()
        if not r then return nil end
        if truthy(f(r)) then return r end
        stats.filtered = stats.filtered + 1
      end
    end
  end
end

function stages.let(stmt, q)
  local f = compile(stmt.expr, q)
  local name = stmt.name
  local pattern = stmt.pattern
  return function(input)
    return function()
      local r = input()
      if r then
        local v = f(r)
        r[name] = v
        if pattern then destructure(r, pattern, v) end
      end
      return r
    end
  end
end

function stages.with() return function(input) return input end end

-- Sorting. Rows are ordered by their sort values; ties keep input order. When every value is
-- a scalar the values become byte strings (V.sort_key, which never hold a zero byte). If all
-- criteria go the same way, each row's keys are joined with "\0" terminators plus the row
-- number and table.sort orders those strings natively (DESC: sort ascending with the row
-- numbers counted backwards, then read in reverse). Mixed directions compare the per-criterion
-- key strings in a comparator; anything else (arrays, objects) falls back to V.compare.
local function sort_permutation(tuples, n, nkeys, asc)
  local sort_key = V.sort_key
  local all_asc, all_desc = true, true
  for k = 1, nkeys do
    if asc[k] then all_desc = false else all_asc = false end
  end
  local keys = {}
  local keyable = true
  for i = 1, n do
    local t = tuples[i]
    local row = {}
    for k = 1, nkeys do
      local sk = sort_key(t[k])
      if not sk then keyable = false; break end
      row[k] = sk
    end
    if not keyable then break end
    keys[i] = row
  end
  local perm = {}
  if keyable and (all_asc or all_desc) then
    local flat = {}
    for i = 1, n do
      local row = keys[i]
      local id = string.pack(">I4", all_asc and i or n + 1 - i)
      if nkeys == 1 then flat[i] = row[1] .. "\0" .. id
      else flat[i] = concat(row, "\0") .. "\0" .. id end
    end
    keys = nil -- luacheck: ignore 311
    table.sort(flat)
    for i = 1, n do
      local k = flat[i]
      local id = string.unpack(">I4", k, #k - 3)
      if all_asc then perm[i] = id else perm[n + 1 - i] = n + 1 - id end
    end
    return perm
  end
  for i = 1, n do perm[i] = i end
  if keyable then
    table.sort(perm, function(x, y)
      local kx, ky = keys[x], keys[y]
      for k = 1, nkeys do
        local a, b = kx[k], ky[k]
        if a ~= b then
          if asc[k] then return a < b end
          return a > b
        end
      end
      return x < y
    end)
    return perm
  end
  table.sort(perm, function(x, y)
    local tx, ty = tuples[x], tuples[y]
    for k = 1, nkeys do
      local c = compare(tx[k], ty[k])
      if c ~= 0 then
        if asc[k] then return c < 0 end
        return c > 0
      end
    end
    return x < y
  end)
  return perm
end
M.sort_permutation = sort_permutation

-- SORT: materialize, compute the sort values once per row, sort (see sort_permutation).
function stages.sort(stmt, q)
  local keys, asc = {}, {}
  for i, k in ipairs(stmt.keys) do keys[i] = compile(k.expr, q); asc[i] = k.asc and true or false end
  local nkeys = #keys
  return function(input)
    local rows, tuples = {}, {}
    local n = 0
    while true do
      local r = input()
      if not r then break end
      local kv = {}
      for i = 1, nkeys do kv[i] = keys[i](r) end
      n = n + 1
      rows[n], tuples[n] = r, kv
    end
    q:account(n * 64)
    local perm = sort_permutation(tuples, n, nkeys, asc)
    local i = 0
    return function()
      i = i + 1
      local p = perm[i]
      if not p then return nil end
      local r = rows[p]
      rows[p] = nil
      return r
    end
  end
end

function stages.limit(stmt, q)
  local off_f = stmt.offset and compile(stmt.offset, q)
  local cnt_f = compile(stmt.count, q)
  local full_count = stmt.full_count
  return function(input, base)
    local offset = off_f and off_f(base) or 0
    local count = cnt_f(base)
    if type(offset) ~= "number" or type(count) ~= "number" or offset < 0 or count < 0 then
      q:runtime_fail(400, 1504, "number out of range")
    end
    offset, count = to_int(offset), to_int(count)
    local seen = 0
    local returned = 0
    return function()
      while true do
        if returned >= count then
          if full_count then
            while input() do seen = seen + 1 end
            q.full_count = seen
            full_count = false
          end
          return nil
        end
        local r = input()
        if not r then
          if full_count then q.full_count = seen; full_count = false end
          return nil
        end
        seen = seen + 1
        if seen > offset then
          returned = returned + 1
          return r
        end
      end
    end
  end
end

function stages.return_(stmt, q)
  local f = compile(stmt.expr, q)
  local distinct = stmt.distinct
  return function(input)
    local seen = distinct and {}
    return function()
      while true do
        local r = input()
        if not r then return nil end
        local v = f(r)
        if v == nil then v = null end
        if not distinct then return v end
        local key = hash_key(v)
        if not seen[key] then seen[key] = true; return v end
      end
    end
  end
end

-- COLLECT ----------------------------------------------------------------------------------

local COUNTING = { LENGTH = true, COUNT = true }
local AGGREGATES = { LENGTH = true, COUNT = true, MIN = true, MAX = true, SUM = true, AVERAGE = true,
  AVG = true, PUSH = true, UNIQUE = true, SORTED_UNIQUE = true, COUNT_DISTINCT = true,
  COUNT_UNIQUE = true, STDDEV_POPULATION = true, STDDEV_SAMPLE = true, STDDEV = true,
  VARIANCE_POPULATION = true, VARIANCE_SAMPLE = true, VARIANCE = true, BIT_AND = true,
  BIT_OR = true, BIT_XOR = true }

local function compile_aggregates(list, q)
  local out = {}
  for i, a in ipairs(list) do
    local call = a.expr
    if not AGGREGATES[call.name] or #call.args ~= 1 then
      q:parse_fail(1574, "invalid aggregate expression")
    end
    out[i] = { name = a.name, func = call.name, arg = compile(call.args[1], q) }
  end
  return out
end

-- Reduces the collected values of one aggregate.
local function finish_aggregate(q, func, vals)
  setmetatable(vals, array_mt)
  if COUNTING[func] then return #vals end
  if func == "PUSH" then return vals end
  local e = functions.lookup(func)
  local v = e.call(q, { vals }, 1)
  if v == nil then v = null end
  return v
end
M.finish_aggregate = finish_aggregate

-- The grouping key of a COLLECT row: equal for AQL-equal group values.
local function group_key(kv, ngroups)
  if ngroups == 0 then return "" end
  if ngroups == 1 then return hash_key(kv[1]) end
  local parts = {}
  for i = 1, ngroups do
    local h = hash_key(kv[i])
    parts[i] = #h .. ":" .. h
  end
  return concat(parts)
end

function stages.collect(stmt, q)
  local groups = {}
  for i, g in ipairs(stmt.groups) do groups[i] = { name = g.name, f = compile(g.expr, q) } end
  local aggs = stmt.aggregates and compile_aggregates(stmt.aggregates, q) or {}
  local into = stmt.into
  local into_f = into and into.expr and compile(into.expr, q)
  local keep = stmt.keep
  local hidden = {}
  for _, name in ipairs(stmt.hidden or {}) do
    if name ~= "NEW" and name ~= "OLD" then hidden[#hidden + 1] = name end
  end
  table.sort(hidden)
  local count_into = stmt.count_into
  local ngroups = #groups
  return function(input, base)
    local by_key, order = {}, {}
    while true do
      local r = input()
      if not r then break end
      local kv = {}
      for i = 1, ngroups do kv[i] = groups[i].f(r) end
      local key = group_key(kv, ngroups)
      local g = by_key[key]
      if not g then
        g = { keys = kv, count = 0, into = {}, aggs = {} }
        for i = 1, #aggs do g.aggs[i] = {} end
        by_key[key] = g
        order[#order + 1] = g
      end
      g.count = g.count + 1
      for i = 1, #aggs do
        local vals = g.aggs[i]
        vals[#vals + 1] = aggs[i].arg(r)
      end
      if into then
        local v
        if into_f then
          v = into_f(r)
        else
          v = {}
          for _, name in ipairs(keep or hidden) do
            local x = r[name]
            if x ~= nil then v[name] = x end
          end
        end
        g.into[#g.into + 1] = v
      end
    end
    if ngroups == 0 and #order == 0 then
      local g = { keys = {}, count = 0, into = {}, aggs = {} }
      for i = 1, #aggs do g.aggs[i] = {} end
      order[1] = g
    end
    q:account(#order * 64)
    if ngroups > 0 then
      local tuples, asc = {}, {}
      for k = 1, ngroups do asc[k] = true end
      for k, g in ipairs(order) do tuples[k] = g.keys end
      local perm = sort_permutation(tuples, #order, ngroups, asc)
      local sorted = {}
      for k, p in ipairs(perm) do sorted[k] = order[p] end
      order = sorted
    end
    local i = 0
    return function()
      i = i + 1
      local g = order[i]
      if not g then return nil end
      order[i] = nil
      local r = copy_row(base)
      for k = 1, ngroups do r[groups[k].name] = g.keys[k] end
      for k = 1, #aggs do r[aggs[k].name] = finish_aggregate(q, aggs[k].func, g.aggs[k]) end
      if into then r[into.name] = setmetatable(g.into, array_mt) end
      if count_into then r[count_into] = g.count end
      return r
    end
  end
end

-- WINDOW -----------------------------------------------------------------------------------

-- ISO 8601 duration "P1Y2M3DT4H5M6.5S" -> milliseconds (years/months approximated; used for
-- range-based windows over date values).
local function duration_ms(s)
  if type(s) ~= "string" or not s:match("^P") then return nil end
  local date, time = s:match("^P([^T]*)T?(.*)$")
  local function part(str, unit)
    local v = str:match("([%d%.]+)" .. unit)
    return v and tonumber(v) or 0
  end
  return part(date, "Y") * 365 * 86400000 + part(date, "M") * 30 * 86400000 +
    part(date, "W") * 7 * 86400000 + part(date, "D") * 86400000 +
    part(time, "H") * 3600000 + part(time, "M") * 60000 + part(time, "S") * 1000
end

function stages.window(stmt, q)
  local aggs = compile_aggregates(stmt.aggregates, q)
  local bounds_f = compile(stmt.bounds, q)
  local range_f = stmt.range_expr and compile(stmt.range_expr, q)
  return function(input, base)
    local rows = {}
    while true do
      local r = input()
      if not r then break end
      rows[#rows + 1] = r
    end
    local n = #rows
    local b = bounds_f(base)
    if type(b) ~= "table" or is_array(b) then
      q:runtime_fail(400, 10, "WINDOW bounds must be an object")
    end
    local function bound(v)
      if v == nil or v == null then return 0 end
      if v == "unbounded" then return math.huge end
      if type(v) == "string" then
        local ms = duration_ms(v)
        if ms then return ms end
        return V.to_number(v)
      end
      return V.to_number(v)
    end
    local pre, fol = bound(b.preceding), bound(b.following)
    local values = {}
    for k = 1, #aggs do
      values[k] = {}
      for i = 1, n do values[k][i] = aggs[k].arg(rows[i]) end
    end
    local rv
    if range_f then
      rv = {}
      local dates = type(b.preceding) == "string" and b.preceding:match("^P") or
        type(b.following) == "string" and b.following:match("^P")
      for i = 1, n do
        local v = range_f(rows[i])
        if dates then
          local e = functions.lookup("DATE_TIMESTAMP")
          v = e and e.call(q, { v }, 1) or v
        end
        rv[i] = type(v) == "number" and v or V.to_number(v)
      end
    end
    local i = 0
    return function()
      i = i + 1
      local r = rows[i]
      if not r then return nil end
      local lo, hi
      if rv then
        lo, hi = n + 1, 0
        local low_v, high_v = rv[i] - pre, rv[i] + fol
        for j = 1, n do
          if rv[j] >= low_v and rv[j] <= high_v then
            if j < lo then lo = j end
            if j > hi then hi = j end
          end
        end
      else
        lo = pre == math.huge and 1 or math.max(1, i - pre)
        hi = fol == math.huge and n or math.min(n, i + fol)
      end
      for k = 1, #aggs do
        local vals = {}
        for j = lo, hi do vals[#vals + 1] = values[k][j] end
        r[aggs[k].name] = finish_aggregate(q, aggs[k].func, vals)
      end
      return r
    end
  end
end

-- Data modification ------------------------------------------------------------------------

local NODE_NAMES = { insert = "InsertNode", update = "UpdateNode", replace = "ReplaceNode",
  remove = "RemoveNode", upsert = "UpsertNode" }

local function modification_options(stmt, q)
  local opts = {}
  if stmt.options then
    local ok, v = compiler.constant_value(stmt.options, q)
    if not ok or type(v) ~= "table" or is_array(v) then
      q:parse_fail(1575, "query options must be readable at query compile time")
    end
    for k, x in pairs(v) do opts[k] = x end
  end
  local store_opts = {
    keepNull = opts.keepNull, mergeObjects = opts.mergeObjects, overwriteMode = opts.overwriteMode,
    overwrite = opts.overwrite, waitForSync = opts.waitForSync, returnNew = true, returnOld = true,
    ignoreRevs = opts.ignoreRevs == nil and true or opts.ignoreRevs,
    trx = q.trx, -- the query's transaction (aql/init.lua)
  }
  for k, x in pairs(store_opts) do if x == null then store_opts[k] = nil end end
  return store_opts, opts.ignoreErrors == true
end

local function find_match(q, col_name, search)
  for d in q:scan(col_name) do
    local ok = true
    for k, v in pairs(search) do
      local x = d[k]
      if x == nil then x = null end
      if compare(x, v) ~= 0 then ok = false; break end
    end
    if ok then return d end
  end
end

local function find_filter(q, col_name, filter, row)
  local r = copy_row(row)
  for d in q:scan(col_name) do
    r.CURRENT = d
    if truthy(filter(r)) then return d end
  end
end

function M.modification(stmt, q)
  local kind = stmt.type
  local coll_name
  if stmt.collection.type == "bindcol" then
    coll_name = q:bindcol_value(stmt.collection.name)
  elseif stmt.collection.type == "bind" then
    coll_name = q:bind_value(stmt.collection.name)
    if type(coll_name) ~= "string" then
      q:parse_fail(1553, string.format("bind parameter '%s' has an invalid value or type",
        stmt.collection.name))
    end
  else
    coll_name = stmt.collection.name
  end
  q:check_collection(coll_name)
  q:note_write(coll_name)
  local opts, ignore_errors = modification_options(stmt, q)
  local node_id = q:next_node_id(kind)
  local node_tag = string.format(" [node #%d: %s]", node_id, NODE_NAMES[kind])
  local doc_f = stmt.doc and compile(stmt.doc, q)
  local key_f = stmt.key and compile(stmt.key, q)
  local search_f = stmt.search and compile(stmt.search, q)
  local filter_f = stmt.filter and compile(stmt.filter, q)
  local insert_f = stmt.insert and compile(stmt.insert, q)
  local update_f = stmt.update and compile(stmt.update, q)
  local stats = q.stats

  local function perform(r)
    local col = q:collection(coll_name)
    local res, outcome
    if kind == "insert" then
      local doc = doc_f(r)
      if type(doc) ~= "table" or is_array(doc) then errors.raise(400, 1227) end
      res, outcome = col:insert(doc, opts)
    elseif kind == "update" or kind == "replace" then
      local doc = doc_f(r)
      if type(doc) ~= "table" or is_array(doc) then errors.raise(400, 1227) end
      local key
      if key_f then
        key = key_f(r)
        if type(key) == "table" and not is_array(key) then key = key._key end
        if type(key) ~= "string" then
          if key == nil or key == null then errors.raise(400, 1226) end
          errors.raise(400, 1221)
        end
      else
        key = doc._key
        if key == nil or key == null then errors.raise(400, 1226) end
      end
      res, outcome = col[kind](col, key, doc, opts)
    elseif kind == "remove" then
      local key = doc_f and doc_f(r) or key_f(r)
      if type(key) == "table" and not is_array(key) then
        if opts.ignoreRevs ~= false then key = key._key end
      elseif type(key) ~= "string" then
        errors.raise(400, 1221)
      end
      if key == nil then errors.raise(400, 1226) end
      res, outcome = col:remove(key, opts)
    else -- upsert
      local current
      if filter_f then
        current = find_filter(q, coll_name, filter_f, r)
      else
        local search = search_f(r)
        if type(search) ~= "table" or is_array(search) then errors.raise(400, 1227) end
        current = find_match(q, coll_name, search)
      end
      if current then
        local rr = copy_row(r)
        rr.OLD = current
        local doc = update_f(rr)
        if type(doc) ~= "table" or is_array(doc) then errors.raise(400, 1227) end
        res, outcome = col[stmt.mode](col, current._key, doc, opts)
      else
        local doc = insert_f(r)
        if type(doc) ~= "table" or is_array(doc) then errors.raise(400, 1227) end
        res, outcome = col:insert(doc, opts)
      end
    end
    return res, outcome
  end

  return function(input)
    return function()
      while true do
        local r = input()
        if not r then return nil end
        q:tick()
        local ok, res, outcome = pcall(perform, r)
        if ok then
          if outcome == "ignored" then
            stats.writesIgnored = stats.writesIgnored + 1
          else
            stats.writesExecuted = stats.writesExecuted + 1
          end
          r.NEW = res.new or null
          r.OLD = res.old or null
          if kind == "remove" then r.NEW = null end
          if kind == "insert" and outcome == "created" then r.OLD = null end
          return r
        end
        if not errors.is_error(res) then error(res, 0) end
        if ignore_errors then
          stats.writesIgnored = stats.writesIgnored + 1
        else
          errors.raise(res.status, res.num, "AQL: " .. res.message .. node_tag .. " (while executing)")
        end
      end
    end
  end
end

for _, k in ipairs({ "insert", "update", "replace", "remove", "upsert" }) do
  stages[k] = M.modification
end
stages["for"] = stages.for_
stages["return"] = stages.return_

--- Compiles a statement list. Returns run(base_row) -> iterator, and whether it returns values.
function M.compile_body(stmts, q, top_level)
  local fns = {}
  -- fullCount applies to the last LIMIT of the top-level query
  if top_level and q.options.fullCount then
    for i = #stmts, 1, -1 do
      if stmts[i].type == "limit" then stmts[i].full_count = true; break end
    end
  end
  for i, stmt in ipairs(stmts) do
    local build
    if stmt.type == "traversal" or stmt.type == "path" then
      build = require("arango.devserver.aql.traversal")[stmt.type]
    else
      build = stages[stmt.type]
    end
    if not build then error("unsupported AQL statement " .. tostring(stmt.type)) end
    fns[i] = build(stmt, q, stmts[i + 1])
  end
  local returns = #stmts > 0 and stmts[#stmts].type == "return"
  local function run(base)
    local start = copy_row(base)
    local done = false
    local iter = function()
      if done then return nil end
      done = true
      return start
    end
    for i = 1, #fns do iter = fns[i](iter, start) end
    if returns then return iter end
    -- modification without RETURN: run it to the end, produce nothing
    return function()
      while iter() do end
      return nil
    end
  end
  return run, returns
end

return M
