-- AQL array functions.
local U = require "arango.devserver.aql.functions.util"
local V = U.V
local def, null = U.def, U.null
local A = V.array
local equals, compare = V.equals, V.compare

local F = {}

local function arr_or_warn(ctx, v, name)
  if V.is_array(v) then return v end
  U.type_warning(ctx, name)
  return nil
end

--- Index of value in list (AQL equality), or nil.
local function index_of(list, value)
  for i, x in ipairs(list) do
    if equals(x, value) then return i end
  end
  return nil
end

--- A set of values keyed by their canonical JSON text, for linear-time uniqueness checks.
local key_of = V.hash_key
F.key_of = key_of

local function unique(list)
  local seen, out = {}, A({})
  for _, x in ipairs(list) do
    local k = key_of(x)
    if not seen[k] then
      seen[k] = true
      out[#out + 1] = x
    end
  end
  return out
end
F.unique = unique

def(F, "LENGTH", 1, 1, function(_, a)
  local v = a[1]
  local t = V.type_name(v)
  if t == "array" then return #v end
  if t == "object" then
    local c = 0
    for _ in pairs(v) do c = c + 1 end
    return c
  end
  if t == "string" then return U.ulen(v) end
  if t == "number" then return U.ulen(V.to_string(v)) end
  if t == "bool" then return v and 1 or 0 end
  return 0
end)

def(F, "FIRST", 1, 1, function(ctx, a)
  local l = arr_or_warn(ctx, a[1], "FIRST")
  if not l or #l == 0 then return null end
  return l[1]
end)

def(F, "LAST", 1, 1, function(ctx, a)
  local l = arr_or_warn(ctx, a[1], "LAST")
  if not l or #l == 0 then return null end
  return l[#l]
end)

def(F, "NTH", 2, 2, function(ctx, a)
  local l = arr_or_warn(ctx, a[1], "NTH")
  if not l then return null end
  local i = U.int(a[2])
  if i < 0 or i >= #l then return null end
  return l[i + 1]
end)

def(F, "POSITION", 2, 3, function(ctx, a, n)
  local l = arr_or_warn(ctx, a[1], "POSITION")
  if not l then return null end
  local i = index_of(l, a[2])
  if n >= 3 and V.truthy(a[3]) then return i and i - 1 or -1 end
  return i ~= nil
end)

def(F, "COUNT_DISTINCT", 1, 1, function(ctx, a)
  local l = arr_or_warn(ctx, a[1], "COUNT_DISTINCT")
  if not l then return null end
  return #unique(l)
end)

def(F, "UNIQUE", 1, 1, function(ctx, a)
  local l = arr_or_warn(ctx, a[1], "UNIQUE")
  if not l then return null end
  return unique(l)
end)

local function sorted(list)
  local out = A(table.move(list, 1, #list, 1, {}))
  -- stable merge-free sort: decorate with index to keep equal values in input order
  local idx = {}
  for i, x in ipairs(out) do idx[i] = { x, i } end
  table.sort(idx, function(p, q)
    local c = compare(p[1], q[1])
    if c ~= 0 then return c < 0 end
    return p[2] < q[2]
  end)
  for i, p in ipairs(idx) do out[i] = p[1] end
  return out
end
F.sorted = sorted

def(F, "SORTED", 1, 1, function(ctx, a)
  local l = arr_or_warn(ctx, a[1], "SORTED")
  if not l then return null end
  return sorted(l)
end)

def(F, "SORTED_UNIQUE", 1, 1, function(ctx, a)
  local l = arr_or_warn(ctx, a[1], "SORTED_UNIQUE")
  if not l then return null end
  return sorted(unique(l))
end)

local function flatten(list, depth, out)
  for _, x in ipairs(list) do
    if V.is_array(x) and depth > 0 then
      flatten(x, depth - 1, out)
    else
      out[#out + 1] = x
    end
  end
  return out
end

def(F, "FLATTEN", 1, 2, function(ctx, a, n)
  local l = arr_or_warn(ctx, a[1], "FLATTEN")
  if not l then return null end
  local depth = (n >= 2 and a[2] ~= null) and U.int(a[2]) or 1
  return flatten(l, depth, A({}))
end)

def(F, "APPEND", 2, 3, function(ctx, a, n)
  local l = a[1]
  if l == null then l = A({}) end
  if not V.is_array(l) then return U.type_warning(ctx, "APPEND") end
  local add = a[2]
  if not V.is_array(add) then add = A({ add }) end
  local uniq = n >= 3 and V.truthy(a[3])
  local out = A(table.move(l, 1, #l, 1, {}))
  if uniq then
    local seen = {}
    for _, x in ipairs(out) do seen[key_of(x)] = true end
    for _, x in ipairs(add) do
      local k = key_of(x)
      if not seen[k] then
        seen[k] = true
        out[#out + 1] = x
      end
    end
  else
    for _, x in ipairs(add) do out[#out + 1] = x end
  end
  return out
end)

def(F, "PUSH", 2, 3, function(ctx, a, n)
  local l = a[1]
  if l == null then l = A({}) end
  if not V.is_array(l) then return U.type_warning(ctx, "PUSH") end
  local out = A(table.move(l, 1, #l, 1, {}))
  if n >= 3 and V.truthy(a[3]) and index_of(l, a[2]) then return out end
  out[#out + 1] = a[2]
  return out
end)

def(F, "UNSHIFT", 2, 3, function(ctx, a, n)
  local l = a[1]
  if l == null then l = A({}) end
  if not V.is_array(l) then return U.type_warning(ctx, "UNSHIFT") end
  if n >= 3 and V.truthy(a[3]) and index_of(l, a[2]) then return A(table.move(l, 1, #l, 1, {})) end
  local out = A({ a[2] })
  table.move(l, 1, #l, 2, out)
  return out
end)

def(F, "POP", 1, 1, function(ctx, a)
  local l = a[1]
  if l == null then return null end
  if not V.is_array(l) then return U.type_warning(ctx, "POP") end
  return A(table.move(l, 1, #l - 1, 1, {}))
end)

def(F, "SHIFT", 1, 1, function(ctx, a)
  local l = a[1]
  if l == null then return null end
  if not V.is_array(l) then return U.type_warning(ctx, "SHIFT") end
  return A(table.move(l, 2, #l, 1, {}))
end)

def(F, "SLICE", 2, 3, function(ctx, a, n)
  local l = arr_or_warn(ctx, a[1], "SLICE")
  if not l then return null end
  local len = #l
  local start = U.int(a[2])
  if start < 0 then start = math.max(0, len + start) end
  -- clamp before adding: start + 1 or start + count past math.maxinteger would wrap around
  if start > len then start = len end
  local stop
  if n >= 3 and a[3] ~= null then
    local count = U.int(a[3])
    if count < 0 then stop = len + count
    elseif count > len - start then stop = len
    else stop = start + count end
  else
    stop = len
  end
  if stop > len then stop = len end
  local out = A({})
  for i = start + 1, stop do out[#out + 1] = l[i] end
  return out
end)

def(F, "REMOVE_NTH", 2, 2, function(ctx, a)
  local l = arr_or_warn(ctx, a[1], "REMOVE_NTH")
  if not l then return null end
  local pos = U.int(a[2])
  if pos < 0 then pos = #l + pos end
  local out = A({})
  for i, x in ipairs(l) do
    if i - 1 ~= pos then out[#out + 1] = x end
  end
  return out
end)

def(F, "REPLACE_NTH", 3, 4, function(ctx, a, n)
  local l = arr_or_warn(ctx, a[1], "REPLACE_NTH")
  if not l then return null end
  local pos = U.int(a[2])
  local len = #l
  if pos < 0 then
    pos = len + pos
    if pos < 0 then return U.type_warning(ctx, "REPLACE_NTH") end
  end
  -- padding up to a huge position would exhaust memory: resource limit
  if pos - len > 10000000 then return U.warn(ctx, 32) end
  local out = A(table.move(l, 1, len, 1, {}))
  if pos >= len then
    local padding = n >= 4 and a[4] or null
    if n < 4 or padding == null then
      if pos > len then return U.type_warning(ctx, "REPLACE_NTH") end
    end
    for i = len + 1, pos do out[i] = padding end
  end
  out[pos + 1] = a[3]
  return out
end)

def(F, "REMOVE_VALUE", 2, 3, function(ctx, a, n)
  local l = arr_or_warn(ctx, a[1], "REMOVE_VALUE")
  if not l then return null end
  local limit = (n >= 3 and a[3] ~= null) and U.int(a[3]) or -1
  local out, removed = A({}), 0
  for _, x in ipairs(l) do
    if (limit < 0 or removed < limit) and equals(x, a[2]) then
      removed = removed + 1
    else
      out[#out + 1] = x
    end
  end
  return out
end)

def(F, "REMOVE_VALUES", 2, 2, function(ctx, a)
  local l = arr_or_warn(ctx, a[1], "REMOVE_VALUES")
  if not l then return null end
  local drop = a[2]
  if drop == null then drop = A({}) end
  if not V.is_array(drop) then return U.type_warning(ctx, "REMOVE_VALUES") end
  local set = {}
  for _, x in ipairs(drop) do set[key_of(x)] = true end
  local out = A({})
  for _, x in ipairs(l) do
    if not set[key_of(x)] then out[#out + 1] = x end
  end
  return out
end)

--- Checks that all n args are arrays; returns true or warns.
local function all_arrays(ctx, a, n, name)
  for i = 1, n do
    if not V.is_array(a[i]) then
      U.type_warning(ctx, name)
      return false
    end
  end
  return true
end

def(F, "UNION", 1, math.huge, function(ctx, a, n)
  if not all_arrays(ctx, a, n, "UNION") then return null end
  local out = A({})
  for i = 1, n do
    for _, x in ipairs(a[i]) do out[#out + 1] = x end
  end
  return out
end)

def(F, "UNION_DISTINCT", 1, math.huge, function(ctx, a, n)
  if not all_arrays(ctx, a, n, "UNION_DISTINCT") then return null end
  local all = A({})
  for i = 1, n do
    for _, x in ipairs(a[i]) do all[#all + 1] = x end
  end
  return unique(all)
end)

-- Counts, per distinct value, in how many arguments it occurs (value, count, order of first sight).
local function occurrences(a, n)
  local counts, first, order = {}, {}, {}
  for i = 1, n do
    local seen = {}
    for _, x in ipairs(a[i]) do
      local k = key_of(x)
      if not seen[k] then
        seen[k] = true
        if not counts[k] then
          counts[k] = 0
          first[k] = x
          order[#order + 1] = k
        end
        counts[k] = counts[k] + 1
      end
    end
  end
  return counts, first, order
end

-- ArangoDB builds these results from hash sets; the element order it returns is not specified.
-- Recorded results list them in reverse order of first occurrence, which we reproduce.
local function reversed(order, first, keep)
  local out = A({})
  for i = #order, 1, -1 do
    local k = order[i]
    if keep(k) then out[#out + 1] = first[k] end
  end
  return out
end

def(F, "INTERSECTION", 1, math.huge, function(ctx, a, n)
  if not all_arrays(ctx, a, n, "INTERSECTION") then return null end
  local counts, first, order = occurrences(a, n)
  return reversed(order, first, function(k) return counts[k] == n end)
end)

def(F, "OUTERSECTION", 1, math.huge, function(ctx, a, n)
  if not all_arrays(ctx, a, n, "OUTERSECTION") then return null end
  local counts, first, order = occurrences(a, n)
  return reversed(order, first, function(k) return counts[k] == 1 end)
end)

def(F, "MINUS", 1, math.huge, function(ctx, a, n)
  if not all_arrays(ctx, a, n, "MINUS") then return null end
  local drop = {}
  for i = 2, n do
    for _, x in ipairs(a[i]) do drop[key_of(x)] = true end
  end
  local seen, order, first = {}, {}, {}
  for _, x in ipairs(a[1]) do
    local k = key_of(x)
    if not drop[k] and not seen[k] then
      seen[k] = true
      order[#order + 1] = k
      first[k] = x
    end
  end
  return reversed(order, first, function() return true end)
end)

def(F, "JACCARD", 2, 2, function(ctx, a)
  if not all_arrays(ctx, a, 2, "JACCARD") then return null end
  local sa, sb = {}, {}
  local na, nb, inter = 0, 0, 0
  for _, x in ipairs(a[1]) do
    local k = key_of(x)
    if not sa[k] then sa[k] = true; na = na + 1 end
  end
  for _, x in ipairs(a[2]) do
    local k = key_of(x)
    if not sb[k] then
      sb[k] = true
      nb = nb + 1
      if sa[k] then inter = inter + 1 end
    end
  end
  local union = na + nb - inter
  if union == 0 then return 1 end
  return V.normalize_number(inter / union)
end)

def(F, "INTERLEAVE", 1, math.huge, function(ctx, a, n)
  if not all_arrays(ctx, a, n, "INTERLEAVE") then return null end
  local out = A({})
  local longest = 0
  for i = 1, n do longest = math.max(longest, #a[i]) end
  for j = 1, longest do
    for i = 1, n do
      if a[i][j] ~= nil then out[#out + 1] = a[i][j] end
    end
  end
  return out
end)

return F
