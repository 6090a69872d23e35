-- Secondary indexes of a collection: normalising/validating index definitions for every index
-- type ArangoDB 3.12 lists, describing them as /_api/index does, and the write-side semantics
-- the devserver enforces: unique (+ sparse) constraints with 1210, the edge index (lookups by
-- _from/_to) and ttl expiry times. Query-side use (lookups) is left to the callers: the AQL
-- engine may use `index:lookup` for unique persistent indexes and `edges_of` for edge indexes.
local json = require "arango.json"
local errors = require "arango.devserver.errors"
local rev = require "arango.devserver.store.rev"

local M = {}

local null = json.null
local arr = json.array

-- Types accepted in `type`; aliases map to the canonical type ArangoDB reports.
local ALIASES = { hash = "persistent", skiplist = "persistent", persistent = "persistent",
  geo = "geo", geo1 = "geo", geo2 = "geo", fulltext = "fulltext", ttl = "ttl",
  inverted = "inverted", mdi = "mdi", zkd = "mdi", ["mdi-prefixed"] = "mdi-prefixed",
  vector = "vector", primary = "primary", edge = "edge" }

local function bad(msg) errors.raise(400, 10, msg) end

local function copy(v)
  if type(v) ~= "table" then return v end
  local out = {}
  for k, x in pairs(v) do out[k] = copy(x) end
  return setmetatable(out, getmetatable(v))
end
M.copy = copy

local function bool_opt(def, name, default)
  local v = def[name]
  if v == nil or v == null then return default end
  if type(v) ~= "boolean" then bad("invalid value for attribute '" .. name .. "'") end
  return v
end

local function check_fields(fields, min, max, what)
  if type(fields) ~= "table" or #fields == 0 then
    bad("invalid index definition: 'fields' must be a non-empty array")
  end
  local out, seen = arr{}, {}
  for i, f in ipairs(fields) do
    if type(f) ~= "string" or f == "" then bad("invalid index definition: invalid attribute name") end
    if seen[f] then errors.raise(400, 10, "duplicate attribute name in index fields list") end
    seen[f] = true
    out[i] = f
  end
  if #out < min or (max and #out > max) then
    bad(string.format("invalid index definition: %s index needs %s", what,
      max == min and (min .. " field(s)") or ("between " .. min .. " and " .. tostring(max) .. " fields")))
  end
  return out
end

--- Validates a creation request and returns the normalised definition (no id/name yet).
-- `is_edge` says whether the collection is an edge collection.
function M.normalize(def)
  if type(def) ~= "table" then bad("expecting object for index definition") end
  local raw_type = def.type
  if type(raw_type) ~= "string" then bad("invalid index type") end
  local kind = ALIASES[raw_type]
  if not kind then bad("invalid index type '" .. raw_type .. "'") end
  if kind == "primary" or kind == "edge" then
    bad("cannot create index of type '" .. kind .. "'")
  end
  local name = def.name
  if name ~= nil and name ~= null then
    if type(name) ~= "string" or not name:find("^[%a_][%w_%-]*$") or #name > 256 then
      errors.raise(400, 1208, "illegal name: index name '" .. tostring(name) .. "' is invalid")
    end
  else
    name = nil
  end
  local d = { type = kind, name = name }
  if kind == "persistent" then
    d.fields = check_fields(def.fields, 1, nil, "persistent")
    d.unique = bool_opt(def, "unique", false)
    d.sparse = bool_opt(def, "sparse", false)
    d.deduplicate = bool_opt(def, "deduplicate", true)
    d.estimates = bool_opt(def, "estimates", true)
    d.cacheEnabled = bool_opt(def, "cacheEnabled", false)
    if def.storedValues ~= nil and def.storedValues ~= null then
      if type(def.storedValues) ~= "table" then bad("'storedValues' must be an array") end
      d.storedValues = check_fields(def.storedValues, 1, 32, "storedValues")
    end
  elseif kind == "ttl" then
    d.fields = check_fields(def.fields, 1, 1, "ttl")
    if def.unique == true then bad("a TTL index cannot be unique") end
    local e = def.expireAfter
    if type(e) ~= "number" or e < 0 then bad("expireAfter attribute must be a number >= 0") end
    d.expireAfter = e
    d.unique, d.sparse, d.estimates = false, true, false
  elseif kind == "geo" then
    d.fields = check_fields(def.fields, 1, 2, "geo")
    if def.unique == true then bad("geo indexes cannot be unique") end
    d.geoJson = bool_opt(def, "geoJson", false)
    d.legacyPolygons = bool_opt(def, "legacyPolygons", false)
    d.unique, d.sparse = false, true
    d.bestIndexedLevel, d.worstIndexedLevel, d.maxNumCoverCells = 17, 4, 8
  elseif kind == "fulltext" then
    d.fields = check_fields(def.fields, 1, 1, "fulltext")
    local ml = def.minLength
    if ml == nil or ml == null then ml = 2 end
    if type(ml) ~= "number" or ml < 1 then bad("invalid value for 'minLength'") end
    d.minLength = math.tointeger(ml) or ml
    d.unique, d.sparse = false, true
  elseif kind == "mdi" or kind == "mdi-prefixed" then
    d.fields = check_fields(def.fields, 1, nil, kind)
    if def.fieldValueTypes ~= "double" then
      bad("invalid index definition: 'fieldValueTypes' must be 'double'")
    end
    d.fieldValueTypes = "double"
    d.unique = bool_opt(def, "unique", false)
    d.sparse = bool_opt(def, "sparse", false)
    if kind == "mdi-prefixed" then
      d.prefixFields = check_fields(def.prefixFields, 1, nil, "mdi-prefixed prefix")
      d.estimates = bool_opt(def, "estimates", true)
    else
      d.estimates = false
    end
    if def.storedValues ~= nil and def.storedValues ~= null then
      d.storedValues = check_fields(def.storedValues, 1, 32, "storedValues")
    end
  elseif kind == "vector" then
    d.fields = check_fields(def.fields, 1, 1, "vector")
    local p = def.params
    if type(p) ~= "table" then bad("invalid index definition: 'params' must be an object") end
    local metric = p.metric
    if metric ~= "cosine" and metric ~= "l2" and metric ~= "innerProduct" then
      bad("invalid index definition: 'params.metric' must be one of cosine, l2, innerProduct")
    end
    if math.type(p.dimension) ~= "integer" or p.dimension < 1 then
      bad("invalid index definition: 'params.dimension' must be a positive integer")
    end
    if math.type(p.nLists) ~= "integer" or p.nLists < 1 then
      bad("invalid index definition: 'params.nLists' must be a positive integer")
    end
    local params = copy(p)
    params.defaultNProbe = p.defaultNProbe or 1
    params.trainingIterations = p.trainingIterations or 25
    d.params = params
    d.unique = false
    d.sparse = bool_opt(def, "sparse", false)
    if def.storedValues ~= nil and def.storedValues ~= null then
      d.storedValues = check_fields(def.storedValues, 1, 32, "storedValues")
    end
  elseif kind == "inverted" then
    local fields = def.fields
    if type(fields) ~= "table" or (#fields == 0 and def.includeAllFields ~= true) then
      bad("invalid index definition: 'fields' must be a non-empty array")
    end
    local out = arr{}
    for i, f in ipairs(fields) do
      if type(f) == "string" then
        out[i] = { name = f }
      elseif type(f) == "table" and type(f.name) == "string" then
        local g = copy(f)
        if g.analyzer ~= nil and g.features == nil then
          g.features = arr{ "frequency", "position", "norm" }
        end
        out[i] = g
      else
        bad("invalid index definition: invalid field in 'fields'")
      end
    end
    d.fields = out
    d.analyzer = def.analyzer or "identity"
    d.features = def.features or arr{ "frequency", "norm" }
    d.includeAllFields = bool_opt(def, "includeAllFields", false)
    d.trackListPositions = bool_opt(def, "trackListPositions", false)
    d.searchField = bool_opt(def, "searchField", false)
    d.cleanupIntervalStep = def.cleanupIntervalStep or 2
    d.commitIntervalMsec = def.commitIntervalMsec or 1000
    d.consolidationIntervalMsec = def.consolidationIntervalMsec or 5000
    d.consolidationPolicy = def.consolidationPolicy or { type = "tier", segmentsBytesMax = 8589934592,
      maxSkewThreshold = 0.4, minDeletionRatio = 0.5 }
    d.optimizeTopK = def.optimizeTopK or arr{}
    d.primarySort = def.primarySort or { fields = arr{}, compression = "lz4" }
    d.storedValues = def.storedValues or arr{}
    d.version = 1
    d.writebufferActive = def.writebufferActive or 0
    d.writebufferIdle = def.writebufferIdle or 64
    d.writebufferSizeMax = def.writebufferSizeMax or 33554432
    d.unique, d.sparse = false, true
  end
  return d
end

-- Attributes compared to decide whether a requested index already exists.
local IDENTITY = { "type", "fields", "unique", "sparse", "expireAfter", "prefixFields",
  "fieldValueTypes", "geoJson", "minLength", "params" }

local function equal(a, b)
  if a == b then return true end
  if type(a) ~= "table" or type(b) ~= "table" then return false end
  for k, v in pairs(a) do if not equal(v, b[k]) then return false end end
  for k in pairs(b) do if a[k] == nil then return false end end
  return true
end
M.equal = equal

--- True when normalised definition `d` describes the same index as the existing `idx`.
function M.same(idx, d)
  for _, k in ipairs(IDENTITY) do
    if not equal(idx.def[k], d[k]) then return false end
  end
  return true
end

---------------------------------------------------------------------------------------------
-- Index objects

local index_mt = {}
index_mt.__index = index_mt

--- Builds an index from a normalised definition. `id` is the numeric id within the
-- collection; a missing name gets ArangoDB's "idx_<clock>" form.
function M.new(d, id)
  d = copy(d)
  d.name = d.name or ("idx_" .. tostring(rev.next_value()))
  local idx = setmetatable({ def = d, id = id, type = d.type, name = d.name,
    unique = d.unique, sparse = d.sparse, fields = d.fields }, index_mt)
  if d.type == "persistent" or d.type == "mdi" or d.type == "mdi-prefixed" then
    idx.paths = {}
    for i, f in ipairs(d.fields) do idx.paths[i] = M.parse_path(f) end
    if d.type == "mdi-prefixed" then
      -- the prefix fields take part in uniqueness like leading fields
      for _, f in ipairs(d.prefixFields) do table.insert(idx.paths, 1, M.parse_path(f)) end
    end
    if d.unique then
      idx.entries = {}
    elseif d.type == "persistent" then
      idx.multi = {} -- index value -> set of keys, for equality lookups (lookup_keys)
    end
  elseif d.type == "ttl" then
    idx.path = M.parse_path(d.fields[1])
    idx.next_due = math.huge
  end
  return idx
end

--- The primary index (id 0) and the edge index (id 1) every collection has.
function M.primary()
  return setmetatable({ id = 0, type = "primary", name = "primary", unique = true, sparse = false,
    fields = arr{ "_key" }, def = { type = "primary", fields = arr{ "_key" }, name = "primary",
      unique = true, sparse = false } }, index_mt)
end
function M.edge()
  return setmetatable({ id = 1, type = "edge", name = "edge", unique = false, sparse = false,
    fields = arr{ "_from", "_to" }, from = {}, to = {},
    def = { type = "edge", fields = arr{ "_from", "_to" }, name = "edge", unique = false, sparse = false } },
    index_mt)
end

-- Attribute paths: "a.b" -> {"a","b"}; "tags[*]" and "a[*].b" expand arrays.
function M.parse_path(field)
  local parts = {}
  for seg in field:gmatch("[^%.]+") do
    local base, star = seg:match("^(.-)(%[%*%])$")
    if star then
      parts[#parts + 1] = base
      parts[#parts + 1] = "[*]"
    else
      parts[#parts + 1] = seg
    end
  end
  return parts
end

-- All values a path yields in `doc` (several when it expands an array). `nil` members are
-- reported as json.null; `missing` is true when the plain path does not exist.
local function values_of(doc, path, i, out)
  local v = doc
  for j = i, #path do
    local p = path[j]
    if p == "[*]" then
      if type(v) == "table" and (getmetatable(v) == json.array_mt or #v > 0) then
        for _, x in ipairs(v) do
          if j == #path then
            out[#out + 1] = x
          elseif type(x) == "table" then
            values_of(x, path, j + 1, out)
          end
        end
      end
      return out, false
    end
    if type(v) ~= "table" then
      out[#out + 1] = null
      return out, true
    end
    v = v[p]
    if v == nil then
      out[#out + 1] = null
      return out, true
    end
  end
  out[#out + 1] = v
  return out, false
end
M.values_of = function(doc, path) return values_of(doc, path, 1, {}) end

-- A canonical string for an index value so equal JSON values (1 and 1.0) compare equal.
local function canon(v)
  local t = type(v)
  if v == null or v == nil then return "n" end
  if t == "boolean" then return v and "t" or "f" end
  if t == "number" then
    if v == math.floor(v) and v > -2^63 and v < 2^63 then return "i" .. string.format("%d",
      math.tointeger(v) or v) end
    return "d" .. string.format("%.17g", v)
  end
  if t == "string" then return "s" .. #v .. ":" .. v end
  if t == "table" then
    local parts = {}
    if getmetatable(v) == json.array_mt or #v > 0 then
      for i, x in ipairs(v) do parts[i] = canon(x) end
      return "[" .. table.concat(parts, ",") .. "]"
    end
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = k end
    table.sort(keys)
    for i, k in ipairs(keys) do parts[i] = canon(k) .. ":" .. canon(v[k]) end
    return "{" .. table.concat(parts, ",") .. "}"
  end
  return "?"
end
M.canon = canon

--- The index keys of `doc` for a unique index (deduplicated); an empty list when a sparse
-- index does not cover the document.
function index_mt:keys_of(doc)
  local combos = { "" }
  for _, path in ipairs(self.paths) do
    local vals, missing = values_of(doc, path, 1, {})
    local expands = false
    for _, p in ipairs(path) do if p == "[*]" then expands = true break end end
    if self.sparse then
      if missing then return {} end
      local kept = {}
      for _, x in ipairs(vals) do if x ~= null then kept[#kept + 1] = x end end
      vals = kept
      if #vals == 0 then return {} end
    elseif expands and #vals == 0 then
      return {}
    end
    local next_combos = {}
    for _, c in ipairs(combos) do
      for _, x in ipairs(vals) do next_combos[#next_combos + 1] = c .. canon(x) .. "|" end
    end
    combos = next_combos
  end
  local out, seen = {}, {}
  for _, c in ipairs(combos) do
    if not seen[c] then seen[c] = true out[#out + 1] = c end
  end
  return out
end

--- The conflict message ArangoDB gives for a unique constraint violation.
function index_mt:conflict_message(key)
  return string.format("unique constraint violated - in index %s of type %s over '%s'; conflicting key: %s",
    self.name, self.type, table.concat(self.fields, ", "), key)
end

--- Raises 409/1210 when `doc` (about to be stored under `key`) collides with another document,
-- 409/1200 when a running transaction other than `trx` holds the value (it gave it up and may
-- roll back).
function index_mt:check(doc, key, trx)
  if not self.entries then return end
  local held = self.held
  for _, k in ipairs(self:keys_of(doc)) do
    local owner = self.entries[k]
    if owner ~= nil and owner ~= key then
      errors.raise(409, 1210, self:conflict_message(owner))
    end
    local h = held and held[k]
    if h and h ~= trx then errors.raise(409, 1200, "conflict, write-write conflict") end
  end
end

--- Adds a stored document to the index structures.
function index_mt:add(doc)
  local key = doc._key
  if self.entries then
    for _, k in ipairs(self:keys_of(doc)) do self.entries[k] = key end
  elseif self.multi then
    local multi = self.multi
    for _, k in ipairs(self:keys_of(doc)) do
      local set = multi[k]
      if not set then set = {} multi[k] = set end
      set[key] = true
    end
  elseif self.from then
    local f, t = doc._from, doc._to
    if type(f) == "string" then
      local s = self.from[f]
      if not s then s = {} self.from[f] = s end
      s[key] = true
    end
    if type(t) == "string" then
      local s = self.to[t]
      if not s then s = {} self.to[t] = s end
      s[key] = true
    end
  elseif self.type == "ttl" then
    local due = self:due(doc)
    if due and due < self.next_due then self.next_due = due end
  end
end

--- Removes a stored document from the index structures.
function index_mt:remove(doc)
  local key = doc._key
  if self.entries then
    for _, k in ipairs(self:keys_of(doc)) do
      if self.entries[k] == key then self.entries[k] = nil end
    end
  elseif self.multi then
    local multi = self.multi
    for _, k in ipairs(self:keys_of(doc)) do
      local set = multi[k]
      if set then
        set[key] = nil
        if next(set) == nil then multi[k] = nil end
      end
    end
  elseif self.from then
    local s = self.from[doc._from]
    if s then s[key] = nil if next(s) == nil then self.from[doc._from] = nil end end
    s = self.to[doc._to]
    if s then s[key] = nil if next(s) == nil then self.to[doc._to] = nil end end
  end
end

--- Empties the index structures (truncate).
function index_mt:clear()
  if self.entries then self.entries = {} end
  if self.multi then self.multi = {} end
  if self.from then self.from, self.to = {}, {} end
  if self.type == "ttl" then self.next_due = math.huge end
end

--- For a unique index: the key of the document stored under the index values of `probe`.
function index_mt:lookup(probe)
  if not self.entries then return nil end
  local ks = self:keys_of(probe)
  if #ks ~= 1 then return nil end
  return self.entries[ks[1]]
end

--- For a persistent index (unique or not): the keys of the documents stored under the
-- index values of `probe` (unordered), or nil when the index cannot answer (e.g. the probe
-- expands to several index values, or the index keeps no lookup structure).
function index_mt:lookup_keys(probe)
  local map = self.entries or self.multi
  if not map then return nil end
  local ks = self:keys_of(probe)
  if #ks ~= 1 then return nil end
  local hit = map[ks[1]]
  if hit == nil then return {} end
  if self.entries then return { hit } end
  local out = {}
  for k in pairs(hit) do out[#out + 1] = k end
  return out
end

-- Parses the ISO 8601 dates a ttl index accepts into seconds since the epoch.
local function iso_seconds(s)
  local y, mo, d, rest = s:match("^(%d%d%d%d)%-(%d%d)%-(%d%d)(.*)$")
  if not y then return nil end
  local h, mi, sec, frac, tz = 0, 0, 0, 0, rest
  local a, b, c, r2 = rest:match("^[T ](%d%d):(%d%d):?(%d?%d?)(.*)$")
  if a then
    h, mi, sec, tz = tonumber(a), tonumber(b), tonumber(c) or 0, r2
    local f, r3 = tz:match("^%.(%d+)(.*)$")
    if f then frac, tz = tonumber("0." .. f), r3 end
  end
  local offset = 0
  if tz ~= "" and tz ~= "Z" then
    local sign, oh, om = tz:match("^([%+%-])(%d%d):?(%d%d)$")
    if not sign then return nil end
    offset = (tonumber(oh) * 3600 + tonumber(om) * 60) * (sign == "+" and 1 or -1)
  end
  -- days from civil (proleptic Gregorian), independent of the local time zone
  y, mo, d = tonumber(y), tonumber(mo), tonumber(d)
  if mo <= 2 then y = y - 1 end
  local era = (y >= 0 and y or y - 399) // 400
  local yoe = y - era * 400
  local doy = (153 * (mo + (mo > 2 and -3 or 9)) + 2) // 5 + d - 1
  local doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
  local days = era * 146097 + doe - 719468
  return days * 86400 + h * 3600 + mi * 60 + sec + frac - offset
end
M.iso_seconds = iso_seconds

--- For a ttl index: the time (seconds since the epoch) at which `doc` expires, or nil.
function index_mt:due(doc)
  local v = doc
  for _, p in ipairs(self.path) do
    if type(v) ~= "table" then return nil end
    v = v[p]
  end
  local t
  if type(v) == "number" then t = v
  elseif type(v) == "string" then t = iso_seconds(v) end
  if not t then return nil end
  return t + self.def.expireAfter
end

--- The description /_api/index gives for this index, `col_name` qualifying the id.
function index_mt:describe(col_name, extra)
  local out = {}
  for k, v in pairs(self.def) do out[k] = copy(v) end
  out.id = col_name .. "/" .. tostring(self.id)
  out.name = self.name
  local t = self.type
  if t == "primary" or t == "edge" or t == "persistent" or t == "mdi-prefixed" then
    out.selectivityEstimate = 1
  end
  if extra then for k, v in pairs(extra) do out[k] = v end end
  return out
end

return M
