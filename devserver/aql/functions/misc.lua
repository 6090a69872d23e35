-- AQL miscellaneous functions (documents, control flow, hashing, internals), plus the
-- ArangoSearch/vector functions, which need a SEARCH context or an index this engine lacks.
local U = require "arango.devserver.aql.functions.util"
local H = require "arango.devserver.aql.functions.hashes"
local errors = require "arango.devserver.errors"
local V = U.V
local def, null = U.def, U.null
local A = V.array

local F = {}

def(F, "IN_RANGE", 5, 5, function(_, a)
  local v, lo, hi = a[1], a[2], a[3]
  local cl, ch = V.compare(v, lo), V.compare(v, hi)
  local ok_lo = V.truthy(a[4]) and cl >= 0 or cl > 0
  local ok_hi = V.truthy(a[5]) and ch <= 0 or ch < 0
  return ok_lo and ok_hi
end)

def(F, "FIRST_DOCUMENT", 0, math.huge, function(_, a, n)
  for i = 1, n do if V.is_object(a[i]) then return a[i] end end
  return null
end)
def(F, "FIRST_LIST", 0, math.huge, function(_, a, n)
  for i = 1, n do if V.is_array(a[i]) then return a[i] end end
  return null
end)
def(F, "NOT_NULL", 0, math.huge, function(_, a, n)
  for i = 1, n do if a[i] ~= null and a[i] ~= nil then return a[i] end end
  return null
end)
def(F, "CHECK_DOCUMENT", 1, 1, function(_, a) return V.is_object(a[1]) end)

for _, name in ipairs({ "NOOPT", "NOEVAL", "PASSTHRU" }) do
  def(F, name, 1, 1, function(_, a) return a[1] end)
end

-- Database access ------------------------------------------------------------------------------
local function collection(ctx, name)
  local db = ctx.db
  if not db or type(name) ~= "string" then return nil end
  local ok, col = pcall(db.collection, db, name)
  if ok then return col end
  return nil
end

def(F, "COLLECTION_COUNT", 1, 1, function(ctx, a)
  local name = a[1]
  if type(name) ~= "string" then return U.type_warning(ctx, "COLLECTION_COUNT") end
  local col = collection(ctx, name)
  if not col then return U.fail(ctx, 1203) end
  return col:count()
end, { collection_args = { [1] = 1 } })

def(F, "COLLECTIONS", 0, 0, function(ctx)
  local out = A({})
  if not ctx.db then return out end
  for _, c in ipairs(ctx.db:collections()) do
    local name = type(c) == "string" and c or c.name
    local id = type(c) == "table" and (c.id or (c.props and c.props.id)) or nil
    out[#out + 1] = V.set_key_order({ _id = tostring(id or name), name = name }, { "_id", "name" })
  end
  table.sort(out, function(x, y) return x.name < y.name end)
  return out
end)

def(F, "CURRENT_DATABASE", 0, 0, function(ctx)
  return ctx.db_name or (ctx.db and ctx.db.name) or "_system"
end)
def(F, "CURRENT_USER", 0, 0, function(ctx)
  return ctx.user or null
end)
def(F, "VERSION", 0, 0, function(ctx) return ctx.version or "3.12.10" end)

local function get_doc(ctx, col_name, key)
  local col = collection(ctx, col_name)
  if not col or type(key) ~= "string" then return nil end
  local ok, doc = pcall(col.get, col, key)
  if ok and doc ~= nil and doc ~= null then return doc end
  return nil
end

local function by_id(ctx, id)
  if type(id) ~= "string" then return nil end
  local c, k = id:match("^([^/]+)/(.+)$")
  if not c then return nil end
  return get_doc(ctx, c, k)
end

def(F, "DOCUMENT", 1, 2, function(ctx, a, n)
  if n == 1 then
    local ids = a[1]
    if V.is_array(ids) then
      local out = A({})
      for _, id in ipairs(ids) do
        local d = by_id(ctx, id)
        if d then out[#out + 1] = d end
      end
      return out
    end
    return by_id(ctx, ids) or null
  end
  local cname = a[1]
  if type(cname) ~= "string" then return U.type_warning(ctx, "DOCUMENT") end
  local function one(key)
    if type(key) ~= "string" then return nil end
    local c, k = key:match("^([^/]+)/(.+)$")
    if c then
      if c ~= cname then return nil end
      return get_doc(ctx, c, k)
    end
    return get_doc(ctx, cname, key)
  end
  if V.is_array(a[2]) then
    local out = A({})
    for _, key in ipairs(a[2]) do
      local d = one(key)
      if d then out[#out + 1] = d end
    end
    return out
  end
  return one(a[2]) or null
end, { collection_args = { [1] = 2 } })

def(F, "SHARD_ID", 2, 2, function(ctx, a)
  if type(a[1]) ~= "string" then return U.type_warning(ctx, "SHARD_ID") end
  return a[1] -- a single server has one "shard" per collection, named after it
end)

def(F, "SCHEMA_GET", 1, 1, function(ctx, a)
  local col = collection(ctx, a[1])
  if not col then return U.fail(ctx, 1203) end
  local props = col.properties and col:properties() or col.props or {}
  local schema = props.schema
  if schema == nil then return null end
  return schema
end)

-- A JSON-schema subset (type, enum, const, required, properties, additionalProperties, items,
-- min/max, minLength/maxLength, minItems/maxItems, pattern, anyOf/allOf/oneOf/not).
local function schema_check(v, s)
  if type(s) ~= "table" then return true end
  local t = V.type_name(v)
  if s.type ~= nil then
    local types = V.is_array(s.type) and s.type or { s.type }
    local ok = false
    for _, want in ipairs(types) do
      if want == t or (want == "boolean" and t == "bool")
        or (want == "integer" and t == "number" and math.type(v) == "integer") then
        ok = true
      end
    end
    if not ok then return false end
  end
  if V.is_array(s.enum) then
    local ok = false
    for _, x in ipairs(s.enum) do if V.equals(x, v) then ok = true end end
    if not ok then return false end
  end
  if s.const ~= nil and not V.equals(s.const, v) then return false end
  if t == "number" then
    if type(s.minimum) == "number" and v < s.minimum then return false end
    if type(s.maximum) == "number" and v > s.maximum then return false end
    if type(s.exclusiveMinimum) == "number" and v <= s.exclusiveMinimum then return false end
    if type(s.exclusiveMaximum) == "number" and v >= s.exclusiveMaximum then return false end
  elseif t == "string" then
    local len = U.ulen(v)
    if type(s.minLength) == "number" and len < s.minLength then return false end
    if type(s.maxLength) == "number" and len > s.maxLength then return false end
    if type(s.pattern) == "string" then
      local R = require "arango.devserver.aql.functions.regex"
      local re = R.compile(s.pattern)
      if re and not R.test(re, v) then return false end
    end
  elseif t == "array" then
    if type(s.minItems) == "number" and #v < s.minItems then return false end
    if type(s.maxItems) == "number" and #v > s.maxItems then return false end
    if V.is_object(s.items) then
      for _, x in ipairs(v) do if not schema_check(x, s.items) then return false end end
    end
  elseif t == "object" then
    if V.is_array(s.required) then
      for _, k in ipairs(s.required) do if v[k] == nil then return false end end
    end
    local props = V.is_object(s.properties) and s.properties or {}
    for k, x in pairs(v) do
      if props[k] then
        if not schema_check(x, props[k]) then return false end
      elseif s.additionalProperties == false then
        return false
      elseif V.is_object(s.additionalProperties) and not schema_check(x, s.additionalProperties) then
        return false
      end
    end
  end
  if V.is_array(s.allOf) then
    for _, sub in ipairs(s.allOf) do if not schema_check(v, sub) then return false end end
  end
  if V.is_array(s.anyOf) then
    local ok = false
    for _, sub in ipairs(s.anyOf) do if schema_check(v, sub) then ok = true end end
    if not ok then return false end
  end
  if V.is_array(s.oneOf) then
    local c = 0
    for _, sub in ipairs(s.oneOf) do if schema_check(v, sub) then c = c + 1 end end
    if c ~= 1 then return false end
  end
  if V.is_object(s["not"]) and schema_check(v, s["not"]) then return false end
  return true
end
F.schema_check = schema_check

def(F, "SCHEMA_VALIDATE", 2, 2, function(ctx, a)
  local doc, schema = a[1], a[2]
  if schema == null then return V.set_key_order({ valid = true }, { "valid" }) end
  if not V.is_object(schema) then return U.type_warning(ctx, "SCHEMA_VALIDATE") end
  local rule = V.is_object(schema.rule) and schema.rule or schema
  if schema_check(doc, rule) then return V.set_key_order({ valid = true }, { "valid" }) end
  local msg = type(schema.message) == "string" and schema.message or "Schema validation failed"
  return V.set_key_order({ valid = false, errorMessage = msg }, { "valid", "errorMessage" })
end)

-- Hashing --------------------------------------------------------------------------------------
def(F, "HASH", 1, 1, function(_, a)
  -- deterministic 52-bit hash of the canonical form (so equal values hash equally)
  return H.fnv64(V.hash_key(a[1])) & ((1 << 52) - 1)
end)

def(F, "MINHASH_COUNT", 1, 1, function(ctx, a)
  local e = a[1]
  if type(e) ~= "number" or e <= 0 or e >= 1 then return U.type_warning(ctx, "MINHASH_COUNT") end
  local count = math.ceil(1 / (e * e) - 1e-9)
  -- a tiny error rate gives a count past 2^53 (or infinity): not a usable number
  if count >= 2 ^ 53 then return U.type_warning(ctx, "MINHASH_COUNT") end
  return V.normalize_number(count)
end)
def(F, "MINHASH_ERROR", 1, 1, function(ctx, a)
  local k = a[1]
  if type(k) ~= "number" or k < 1 then return U.type_warning(ctx, "MINHASH_ERROR") end
  return V.normalize_number(1 / math.sqrt(k))
end)
def(F, "MINHASH", 2, 2, function(ctx, a)
  local values, k = a[1], a[2]
  if not V.is_array(values) or type(k) ~= "number" or k < 1 then return U.type_warning(ctx, "MINHASH") end
  k = math.floor(k)
  -- a huge hash count would run for hours (or overflow the loop counter): resource limit
  if k > 10000000 then return U.warn(ctx, 32) end
  local out = A({})
  for i = 1, k do
    local best
    for _, x in ipairs(values) do
      local h = H.fnv64(i .. ":" .. V.hash_key(x)) & ((1 << 52) - 1)
      if not best or h < best then best = h end
    end
    out[i] = best or 0
  end
  return out
end)

-- Revisions: ArangoDB's _rev is a hybrid logical clock (ms << 20 | counter) in its own base64.
local rev_alphabet = "-_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
local rev_index = {}
for i = 1, #rev_alphabet do rev_index[rev_alphabet:sub(i, i)] = i - 1 end

def(F, "DECODE_REV", 1, 1, function(ctx, a)
  local r = a[1]
  if type(r) ~= "string" or r == "" or #r > 11 then return U.type_warning(ctx, "DECODE_REV") end
  local v = 0
  for c in r:gmatch(".") do
    local d = rev_index[c]
    if not d then return U.type_warning(ctx, "DECODE_REV") end
    v = (v << 6) | d
  end
  local ms = v >> 20
  local count = v & 0xFFFFF
  local date = require "arango.devserver.aql.functions.date"
  return V.set_key_order({ date = date.format_iso(ms), count = count }, { "date", "count" })
end)

-- Control flow -----------------------------------------------------------------------------------
def(F, "FAIL", 0, 1, function(ctx, a, n)
  local reason = n >= 1 and V.to_string(a[1]) or ""
  return ctx:fail(1569, errors.message(1569, reason))
end)

def(F, "ASSERT", 2, 2, function(ctx, a)
  if not V.truthy(a[1]) then
    -- an error needs a message: ASSERT(false, null) or (false, "") would otherwise have none
    local msg = V.to_string(a[2])
    return ctx:fail(1593, msg ~= "" and msg or "ASSERT() failed")
  end
  return true
end)

def(F, "WARN", 2, 2, function(ctx, a)
  if not V.truthy(a[1]) then
    ctx:warn(1594, V.to_string(a[2]))
    return false
  end
  return true
end)

def(F, "SLEEP", 1, 1, function(ctx, a)
  local s = a[1]
  if type(s) ~= "number" or s < 0 then return U.type_warning(ctx, "SLEEP") end
  if ctx.sleep then ctx:sleep(s) end
  return null
end)

--- The error for calling a JavaScript user function: the devserver has no JavaScript engine.
function F.user_function_error(ctx, name)
  return ctx:fail(1583, errors.message(1583,
    "cannot execute user function '" .. name .. "()': the devserver has no JavaScript engine"))
end

local function call_by_name(ctx, name, args)
  if type(name) ~= "string" then return U.type_warning(ctx, "CALL") end
  if name:find("::", 1, true) then return F.user_function_error(ctx, name) end
  local upper = name:upper()
  if upper == "CALL" or upper == "APPLY" then
    return ctx:fail(1578, errors.message(1578, upper))
  end
  return ctx:call(upper, args)
end

def(F, "CALL", 1, math.huge, function(ctx, a, n)
  return call_by_name(ctx, a[1], A(table.move(a, 2, n, 1, {})))
end)
def(F, "APPLY", 1, 2, function(ctx, a, n)
  local args = n >= 2 and a[2] or A({})
  if args == null then args = A({}) end
  if not V.is_array(args) then return U.type_warning(ctx, "APPLY") end
  return call_by_name(ctx, a[1], args)
end)

def(F, "V8", 1, 1, function(ctx)
  return ctx:fail(9, "V8() is not supported: the devserver has no JavaScript engine")
end)

-- ArangoSearch and vector functions ---------------------------------------------------------------
def(F, "BOOST", 2, 2, function(_, a) return a[1] end)
def(F, "ANALYZER", 2, 2, function(_, a) return a[1] end)
def(F, "MIN_MATCH", 2, math.huge, function(_, a, n)
  local need = U.int(a[n])
  local hits = 0
  for i = 1, n - 1 do if V.truthy(a[i]) then hits = hits + 1 end end
  return hits >= need
end)
def(F, "LEVENSHTEIN_MATCH", 3, 6, function(ctx, a, n)
  if type(a[1]) ~= "string" or type(a[2]) ~= "string" or type(a[3]) ~= "number" then
    return U.type_warning(ctx, "LEVENSHTEIN_MATCH")
  end
  local S = require "arango.devserver.aql.functions.string"
  local transpositions = n < 4 or V.truthy(a[4])
  local target = a[2]
  if n >= 6 and type(a[6]) == "string" then target = a[6] .. target end
  return S.levenshtein(a[1], target, transpositions) <= a[3]
end)

local function search_only(name, min, max)
  def(F, name, min, max, function(ctx)
    return ctx:fail(9, "ArangoSearch function '" .. name ..
      "' is designed to be used only within a corresponding SEARCH statement of ArangoSearch view")
  end)
end
search_only("EXISTS", 1, 3)
search_only("PHRASE", 2, math.huge)
search_only("NGRAM_MATCH", 2, 4)
search_only("MINHASH_MATCH", 4, 4)
search_only("BM25", 1, 3)
search_only("TFIDF", 1, 2)
search_only("OFFSET_INFO", 2, 2)

local function index_only(name, min, max, what)
  def(F, name, min, max, function(ctx)
    return ctx:fail(9, name .. "() requires " .. what .. ", which the devserver does not provide")
  end)
end
index_only("APPROX_NEAR_COSINE", 2, 3, "a vector index")
index_only("APPROX_NEAR_INNER_PRODUCT", 2, 3, "a vector index")
index_only("APPROX_NEAR_L2", 2, 3, "a vector index")
index_only("FULLTEXT", 3, 4, "a fulltext index")

return F
