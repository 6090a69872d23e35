-- AQL object / document functions.
local U = require "arango.devserver.aql.functions.util"
local V = U.V
local def, null = U.def, U.null
local A = V.array

local F = {}

local is_object, is_array = V.is_object, V.is_array

local function obj_or_warn(ctx, v, name)
  if is_object(v) then return v end
  U.type_warning(ctx, name)
  return nil
end

--- New object from an ordered key list and a source table.
local function build(keys, src)
  local out = {}
  local order = {}
  for _, k in ipairs(keys) do
    if src[k] ~= nil then
      out[k] = src[k]
      order[#order + 1] = k
    end
  end
  return V.set_key_order(out, order)
end

local function is_system(k) return k:sub(1, 1) == "_" end

def(F, "ATTRIBUTES", 1, 3, function(ctx, a, n)
  local doc = obj_or_warn(ctx, a[1], "ATTRIBUTES")
  if not doc then return null end
  local remove_system = n >= 2 and V.truthy(a[2])
  -- ArangoDB lists attribute names in its object index order, which is sorted
  local keys = V.sorted_keys(doc)
  local _ = n
  local out = A({})
  for _, k in ipairs(keys) do
    if not (remove_system and is_system(k)) then out[#out + 1] = k end
  end
  return out
end)

def(F, "VALUES", 1, 2, function(ctx, a, n)
  local doc = obj_or_warn(ctx, a[1], "VALUES")
  if not doc then return null end
  local remove_system = n >= 2 and V.truthy(a[2])
  local out = A({})
  for _, k in ipairs(V.keys(doc)) do
    if not (remove_system and is_system(k)) then out[#out + 1] = doc[k] end
  end
  return out
end)

def(F, "ENTRIES", 1, 1, function(ctx, a)
  local doc = obj_or_warn(ctx, a[1], "ENTRIES")
  if not doc then return null end
  local out = A({})
  for _, k in ipairs(V.keys(doc)) do out[#out + 1] = A({ k, doc[k] }) end
  return out
end)

def(F, "HAS", 2, 2, function(_, a)
  local doc = a[1]
  if not is_object(doc) then return false end
  return doc[V.to_string(a[2])] ~= nil
end)

--- Attribute names from args[first..n], where arrays are expanded.
local function name_set(a, first, n)
  local set = {}
  for i = first, n do
    local v = a[i]
    if is_array(v) then
      for _, x in ipairs(v) do set[V.to_string(x)] = true end
    elseif v ~= null then
      set[V.to_string(v)] = true
    end
  end
  return set
end

def(F, "KEEP", 2, math.huge, function(ctx, a, n)
  local doc = obj_or_warn(ctx, a[1], "KEEP")
  if not doc then return null end
  local set = name_set(a, 2, n)
  local keys = {}
  for _, k in ipairs(V.keys(doc)) do
    if set[k] then keys[#keys + 1] = k end
  end
  return build(keys, doc)
end)

def(F, "UNSET", 2, math.huge, function(ctx, a, n)
  local doc = obj_or_warn(ctx, a[1], "UNSET")
  if not doc then return null end
  local set = name_set(a, 2, n)
  local keys = {}
  for _, k in ipairs(V.keys(doc)) do
    if not set[k] then keys[#keys + 1] = k end
  end
  return build(keys, doc)
end)

local function recursive(doc, set, keep)
  local keys, out = {}, {}
  for _, k in ipairs(V.keys(doc)) do
    if (set[k] ~= nil) == keep then
      local v = doc[k]
      if is_object(v) then
        v = recursive(v, set, keep)
      elseif is_array(v) then
        local arr = A({})
        for i, x in ipairs(v) do arr[i] = is_object(x) and recursive(x, set, keep) or x end
        v = arr
      end
      out[k] = v
      keys[#keys + 1] = k
    end
  end
  return V.set_key_order(out, keys)
end

def(F, "KEEP_RECURSIVE", 2, math.huge, function(ctx, a, n)
  local doc = obj_or_warn(ctx, a[1], "KEEP_RECURSIVE")
  if not doc then return null end
  return recursive(doc, name_set(a, 2, n), true)
end)

def(F, "UNSET_RECURSIVE", 2, math.huge, function(ctx, a, n)
  local doc = obj_or_warn(ctx, a[1], "UNSET_RECURSIVE")
  if not doc then return null end
  return recursive(doc, name_set(a, 2, n), false)
end)

local function merge_into(out, order, src, deep)
  for _, k in ipairs(V.keys(src)) do
    local v = src[k]
    if out[k] == nil then order[#order + 1] = k end
    if deep and is_object(v) and is_object(out[k]) then
      local sub, sub_order = {}, {}
      merge_into(sub, sub_order, out[k], true)
      merge_into(sub, sub_order, v, true)
      out[k] = V.set_key_order(sub, sub_order)
    else
      out[k] = v
    end
  end
end

local function merge_fn(name, deep)
  def(F, name, 1, math.huge, function(ctx, a, n)
    local list, count = a, n
    if n == 1 and is_array(a[1]) then list, count = a[1], #a[1] end
    local out, order = {}, {}
    for i = 1, count do
      local v = list[i]
      if not is_object(v) then return U.type_warning(ctx, name) end
      merge_into(out, order, v, deep)
    end
    return V.set_key_order(out, order)
  end)
end
merge_fn("MERGE", false)
merge_fn("MERGE_RECURSIVE", true)

def(F, "MATCHES", 2, 3, function(ctx, a, n)
  local doc = a[1]
  if not is_object(doc) then return false end
  local examples = a[2]
  local single = not is_array(examples)
  if single then examples = { examples } end
  for i, ex in ipairs(examples) do
    if not is_object(ex) then
      U.type_warning(ctx, "MATCHES")
      return false
    end
    local ok = true
    for k, v in pairs(ex) do
      local dv = doc[k]
      if dv == nil then dv = null end
      if not V.equals(dv, v) then ok = false; break end
    end
    if ok then
      if n >= 3 and V.truthy(a[3]) then return i - 1 end
      return true
    end
  end
  if n >= 3 and V.truthy(a[3]) then return -1 end
  return false
end)

--- Splits a document id "coll/key" (from a string or a document's _id).
local function split_id(v)
  if is_object(v) then v = v._id end
  if type(v) ~= "string" then return nil end
  local c, k = v:match("^([^/]+)/(.+)$")
  return c, k
end
F.split_id = split_id

def(F, "PARSE_IDENTIFIER", 1, 1, function(ctx, a)
  local c, k = split_id(a[1])
  if not c then return U.type_warning(ctx, "PARSE_IDENTIFIER") end
  return V.set_key_order({ collection = c, key = k }, { "collection", "key" })
end)
def(F, "PARSE_COLLECTION", 1, 1, function(ctx, a)
  local c = split_id(a[1])
  if not c then return U.type_warning(ctx, "PARSE_COLLECTION") end
  return c
end)
def(F, "PARSE_KEY", 1, 1, function(ctx, a)
  local c, k = split_id(a[1])
  if not c then return U.type_warning(ctx, "PARSE_KEY") end
  return k
end)

def(F, "IS_SAME_COLLECTION", 2, 2, function(ctx, a)
  local name = a[1]
  if type(name) ~= "string" then return U.type_warning(ctx, "IS_SAME_COLLECTION") end
  local c = split_id(a[2])
  if not c then return U.type_warning(ctx, "IS_SAME_COLLECTION") end
  return c == name
end)

def(F, "TRANSLATE", 2, 3, function(ctx, a, n)
  local lookup = a[2]
  if not is_object(lookup) then return U.type_warning(ctx, "TRANSLATE") end
  local v = lookup[V.to_string(a[1])]
  if v ~= nil then return v end
  if n >= 3 then return a[3] end
  return a[1]
end)

def(F, "VALUE", 2, 2, function(ctx, a)
  local cur = a[1]
  if not is_object(cur) then return U.type_warning(ctx, "VALUE") end
  local path = a[2]
  if not is_array(path) or #path == 0 then return U.type_warning(ctx, "VALUE") end
  for _, step in ipairs(path) do
    if type(step) == "string" then
      if not is_object(cur) then return null end
      cur = cur[step]
    elseif type(step) == "number" then
      if not is_array(cur) then return null end
      local i = math.tointeger(step)
      if not i then return null end
      if i < 0 then i = #cur + i end
      cur = cur[i + 1]
    else
      return U.type_warning(ctx, "VALUE")
    end
    if cur == nil then return null end
  end
  return cur
end)

def(F, "ZIP", 2, 2, function(ctx, a)
  local ks, vs = a[1], a[2]
  if not is_array(ks) or not is_array(vs) or #ks ~= #vs then return U.type_warning(ctx, "ZIP") end
  local out, order = {}, {}
  for i, k in ipairs(ks) do
    local key = V.to_string(k)
    if out[key] == nil then order[#order + 1] = key end
    out[key] = vs[i]
  end
  return V.set_key_order(out, order)
end)

return F
