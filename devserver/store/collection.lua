-- A collection: its properties, its documents (kept in insertion order) and its indexes, with
-- the document operations the HTTP handlers and the AQL engine share.
--
-- Document operations (all raise devserver errors, see errors.lua, and change nothing when
-- they fail):
--   col:insert(doc, opts)          -> result, outcome
--   col:get(key)                   -> doc or nil            (key: "k" or "coll/k")
--   col:update(key, patch, opts)   -> result, "updated"     (key nil: patch._key)
--   col:replace(key, doc, opts)    -> result, "replaced"    (key nil: doc._key)
--   col:remove(key, opts)          -> result, "removed"     (key: string, or {_key=, _rev=})
--   col:iterate()                  -> iterator over the documents present when it started
--   col:count(), col:truncate(opts), col:edges(vertex, direction), col:expire(now)
-- `result` is ArangoDB's answer object: {_id, _key, _rev [, _oldRev] [, new] [, old]};
-- `outcome` is "created", "replaced", "updated", "ignored" or "removed".
-- opts use ArangoDB's option names: returnNew, returnOld, overwrite, overwriteMode
-- (conflict|ignore|replace|update), keepNull, mergeObjects, ignoreRevs, isRestore, waitForSync,
-- versionAttribute (skip replace/update unless that attribute's number grows),
-- and `ifMatch` (an expected _rev, from an If-Match header).
-- `trx` (a transaction from server:begin()) makes the write part of that transaction: undone
-- by trx:abort(), logged by trx:commit() with the transaction's other writes as one unit.
-- Keys a running transaction wrote are locked for everybody else (409/1200).
-- Stored documents are shared, never copied: callers must not modify what get/iterate return,
-- and the store keeps (without copying) the nested values of documents passed in.
local json = require "arango.json"
local errors = require "arango.devserver.errors"
local keys = require "arango.devserver.store.keys"
local rev = require "arango.devserver.store.rev"
local schema_mod = require "arango.devserver.store.schema"
local indexes = require "arango.devserver.store.indexes"
local transaction = require "arango.devserver.store.transaction"

local M = {}

local null = json.null
local EMPTY = {}
local SYSTEM_ATTR = { _key = true, _id = true, _rev = true }

local col_mt = {}
col_mt.__index = col_mt

local is_array = schema_mod.is_array
local function is_object(v) return type(v) == "table" and not is_array(v) end

local has_uv, uv = pcall(require, "luv")
local function now_seconds()
  if has_uv and uv.gettimeofday then
    local s, us = uv.gettimeofday()
    return s + us / 1e6
  end
  return os.time()
end

--- True when `name` is a valid collection name (traditional naming; `_` only for system ones).
function M.valid_name(name, is_system)
  if type(name) ~= "string" or #name == 0 or #name > 256 then return false end
  if not name:find("^[%a_][%w_%-]*$") then return false end
  if name:sub(1, 1) == "_" and not is_system then return false end
  return true
end

local function bad_param(msg) errors.raise(400, 10, msg) end

---------------------------------------------------------------------------------------------
-- Properties

--- Validates computedValues; returns the normalised list or nil. Raises 400/10.
function M.normalize_computed(cv)
  if cv == nil or cv == null then return nil end
  if type(cv) ~= "table" or (next(cv) ~= nil and not is_array(cv)) then
    bad_param("'computedValues' must be an array")
  end
  if #cv == 0 then return nil end
  local out, seen = json.array{}, {}
  for _, c in ipairs(cv) do
    if not is_object(c) then bad_param("invalid 'computedValues' entry: expecting object") end
    local name = c.name
    if type(name) ~= "string" or name == "" then
      bad_param("invalid 'computedValues' entry: 'name' must be a string")
    end
    if name == "_key" or name == "_id" or name == "_rev" or name == "_from" or name == "_to" then
      bad_param("invalid 'computedValues' entry: cannot compute system attribute '" .. name .. "'")
    end
    if seen[name] then bad_param("duplicate attribute name '" .. name .. "' in 'computedValues'") end
    seen[name] = true
    local expr = c.expression
    if type(expr) ~= "string" or not expr:find("^%s*[Rr][Ee][Tt][Uu][Rr][Nn]%s") then
      bad_param("invalid 'computedValues' entry: 'expression' must start with RETURN")
    end
    if type(c.overwrite) ~= "boolean" then
      bad_param("invalid 'computedValues' entry: 'overwrite' must be a boolean")
    end
    local on = c.computeOn
    if on == nil or on == null then on = json.array{ "insert", "update", "replace" } end
    if type(on) ~= "table" or #on == 0 then bad_param("invalid 'computedValues' entry: 'computeOn'") end
    for _, w in ipairs(on) do
      if w ~= "insert" and w ~= "update" and w ~= "replace" then
        bad_param("invalid 'computedValues' entry: invalid 'computeOn' value")
      end
    end
    local keep_null = c.keepNull
    if keep_null == nil then keep_null = true end
    local fow = c.failOnWarning
    if fow == nil then fow = false end
    if type(keep_null) ~= "boolean" or type(fow) ~= "boolean" then
      bad_param("invalid 'computedValues' entry: 'keepNull'/'failOnWarning' must be booleans")
    end
    out[#out + 1] = { name = name, expression = expr, overwrite = c.overwrite,
      computeOn = json.array{ table.unpack(on) }, keepNull = keep_null, failOnWarning = fow }
  end
  return out
end

--- Builds a collection object. `props` must be validated (see db:create_collection and
-- db:_restore_collection): name, id, type, isSystem, waitForSync, cacheEnabled, schema,
-- computedValues, keygen (a store/keys.lua generator), extra (cluster properties kept as given).
function M.new(db, props)
  local col = setmetatable({
    db = db,
    name = props.name,
    id = props.id,
    type = props.type or 2,
    is_system = props.isSystem == true,
    wait_for_sync = props.waitForSync == true,
    cache_enabled = props.cacheEnabled == true,
    schema = props.schema,
    computed = props.computedValues,
    keygen = props.keygen,
    extra = props.extra or {},
    docs = {}, order = {}, pos = {}, ndocs = 0, nholes = 0,
    locks = {}, -- key -> the running transaction that wrote it (store/transaction.lua)
    revision = 0,
    indexes = { indexes.primary() },
  }, col_mt)
  if col.type == 3 then col.indexes[2] = indexes.edge() end
  return col
end

--- The object ArangoDB returns for most collection endpoints.
function col_mt:describe()
  return {
    id = tostring(self.id),
    name = self.name,
    status = 3,
    type = self.type,
    isSystem = self.is_system,
    globallyUniqueId = self:guid(),
  }
end

function col_mt:guid()
  if self.is_system then return self.name end
  return self.db.server.guid_prefix .. "/" .. tostring(self.id)
end

--- The properties object of GET /_api/collection/{name}/properties.
function col_mt:properties()
  local p = self:describe()
  p.statusString = "loaded"
  p.waitForSync = self.wait_for_sync
  p.cacheEnabled = self.cache_enabled
  p.keyOptions = self.keygen:options()
  p.schema = self.schema and indexes.copy(self.schema) or null
  p.computedValues = self.computed and indexes.copy(self.computed) or null
  p.writeConcern = 1
  p.usesRevisionsAsDocumentIds = true
  p.syncByRevision = true
  p.supportsRBAC = true
  p.isSmartChild = false
  p.internalValidatorType = 0
  p.objectId = tostring(self.id + 1)
  return p
end

--- Everything needed to re-create the collection (persistence): properties + index definitions.
function col_mt:state()
  local s = {
    id = self.id, name = self.name, type = self.type, isSystem = self.is_system,
    waitForSync = self.wait_for_sync, cacheEnabled = self.cache_enabled,
    keyOptions = self.keygen:options(), schema = self.schema or null,
    computedValues = self.computed or null, extra = next(self.extra) and self.extra or nil,
    revision = self.revision,
    indexes = json.array{},
  }
  for _, idx in ipairs(self.indexes) do
    if idx.type ~= "primary" and idx.type ~= "edge" then
      local d = indexes.copy(idx.def)
      d.id = idx.id
      s.indexes[#s.indexes + 1] = d
    end
  end
  return s
end

--- Changes properties (PUT .../properties): waitForSync, cacheEnabled, schema, computedValues
-- (others are accepted and ignored like on a single server). Atomic: validates first.
function col_mt:set_properties(p)
  if type(p) ~= "table" then bad_param("expecting object") end
  local wfs, cache = self.wait_for_sync, self.cache_enabled
  if p.waitForSync ~= nil then
    if type(p.waitForSync) ~= "boolean" then bad_param("'waitForSync' must be a boolean") end
    wfs = p.waitForSync
  end
  if p.cacheEnabled ~= nil then
    if type(p.cacheEnabled) ~= "boolean" then bad_param("'cacheEnabled' must be a boolean") end
    cache = p.cacheEnabled
  end
  local sch, comp = self.schema, self.computed
  if p.schema ~= nil then sch = schema_mod.normalize(p.schema) end
  if p.computedValues ~= nil then comp = M.normalize_computed(p.computedValues) end
  self.db.server:log{ op = "props", db = self.db.name, c = self.id, p = {
    waitForSync = wfs, cacheEnabled = cache, schema = sch or null, computedValues = comp or null } }
  self.wait_for_sync, self.cache_enabled, self.schema, self.computed = wfs, cache, sch, comp
end

---------------------------------------------------------------------------------------------
-- Storage primitives (no checks, no logging): used by the operations below and by replay.

function col_mt:_put(doc)
  local key = doc._key
  local old = self.docs[key]
  if old then
    for i = 2, #self.indexes do self.indexes[i]:remove(old) end
  else
    self.ndocs = self.ndocs + 1
    local n = #self.order + 1
    self.order[n] = key
    self.pos[key] = n
  end
  self.docs[key] = doc
  for i = 2, #self.indexes do self.indexes[i]:add(doc) end
  self.keygen:track(key)
  local r = rev.decode(doc._rev)
  if r then
    rev.witness(r)
    if r > self.revision then self.revision = r end
  end
end

function col_mt:_del(key)
  local old = self.docs[key]
  if not old then return nil end
  for i = 2, #self.indexes do self.indexes[i]:remove(old) end
  self.docs[key] = nil
  local p = self.pos[key]
  self.pos[key] = nil
  self.order[p] = false
  self.ndocs = self.ndocs - 1
  self.nholes = self.nholes + 1
  -- Compact the order list when it is mostly holes. Running iterators keep the old list.
  if self.nholes > 64 and self.nholes > self.ndocs then
    local order, pos, n = {}, {}, 0
    for _, k in ipairs(self.order) do
      if k then n = n + 1 order[n] = k pos[k] = n end
    end
    self.order, self.pos, self.nholes = order, pos, 0
  end
  return old
end

function col_mt:_clear()
  self.docs, self.order, self.pos, self.ndocs, self.nholes = {}, {}, {}, 0, 0
  for i = 2, #self.indexes do self.indexes[i]:clear() end
end

-- The log record of a document change: `doc` is the new version (nil: `key` is removed).
local function change_record(self, key, doc)
  if doc then
    return { op = "put", db = self.db.name, c = self.id, d = doc, kg = self.keygen.last }
  end
  return { op = "del", db = self.db.name, c = self.id, k = key }
end

-- Every document change goes through here: `doc` is the new version (nil: remove `key`).
-- Inside a transaction (opts.trx) the change is noted for undo and its log record buffered
-- until commit; outside it is logged at once (one record, one unit).
local function write(self, key, doc, opts)
  local trx = opts.trx
  local sync = opts.waitForSync or self.wait_for_sync
  if trx then
    trx:_note(self, key, self.docs[key])
    if self.db.server.wal then trx:_log(self, change_record(self, key, doc), sync) end
  elseif self.db.server.wal then
    self.db.server:log(change_record(self, key, doc), sync)
  end
  if doc then self:_put(doc) else self:_del(key) end
end

-- Raises 409/1200 when `key` (or the whole collection) is locked by a transaction other
-- than `trx` (nil: the caller runs outside any transaction).
local function check_lock(self, key, trx)
  local owner = self.locks[key]
  if (owner and owner ~= trx) or (self.excl and self.excl ~= trx) then transaction.conflict() end
end

--- Rolls back one change (transaction abort): puts `old` back under `key` (at its former
-- place in the insertion order when that slot is still free), or removes `key` when `old`
-- is nil. Not logged: the transaction's records were never written.
function col_mt:_restore(key, old, pos, order)
  if not old then
    self:_del(key)
    return
  end
  if self.docs[key] == nil and pos and order == self.order and order[pos] == false then
    order[pos] = key
    self.pos[key] = pos
    self.ndocs = self.ndocs + 1
    self.nholes = self.nholes - 1
    self.docs[key] = old
    for i = 2, #self.indexes do self.indexes[i]:add(old) end
  else
    self:_put(old)
  end
end

-- Rolls back a truncate (transaction abort): the saved tables come back, indexes are rebuilt.
function col_mt:_untruncate(saved)
  self.docs, self.order, self.pos = saved.docs, saved.order, saved.pos
  self.ndocs, self.nholes = saved.ndocs, saved.nholes
  for i = 2, #self.indexes do
    local idx = self.indexes[i]
    idx:clear()
    for _, k in ipairs(self.order) do
      local d = k and self.docs[k]
      if d then idx:add(d) end
    end
  end
end

---------------------------------------------------------------------------------------------
-- TTL expiry: a ttl index notes the earliest due time; when that time has come, reads and
-- writes (and the server's sweep timer) remove the expired documents first.

--- Removes expired documents (ttl index). Returns how many were removed.
function col_mt:expire(now)
  local ttl = self.ttl
  if not ttl then return 0 end
  now = now or now_seconds()
  if now < ttl.next_due then return 0 end
  local expired, next_due = {}, math.huge
  if self.excl then return 0 end -- a transaction truncated the collection: later
  local locks = self.locks
  for _, k in ipairs(self.order) do
    local d = k and not locks[k] and self.docs[k]
    if d then
      local due = ttl:due(d)
      if due then
        if due <= now then expired[#expired + 1] = k
        elseif due < next_due then next_due = due end
      end
    end
  end
  for _, k in ipairs(expired) do write(self, k, nil, EMPTY) end
  ttl.next_due = next_due
  return #expired
end

local function lazy_expire(self)
  if self.ttl and now_seconds() >= self.ttl.next_due then self:expire() end
end

---------------------------------------------------------------------------------------------
-- Reads

-- Splits "coll/key" handles; returns the key, or nil when the handle names another collection.
local function key_of(self, key)
  if type(key) ~= "string" then return nil end
  local slash = key:find("/", 1, true)
  if slash then
    if key:sub(1, slash - 1) ~= self.name then return nil end
    return key:sub(slash + 1)
  end
  return key
end

--- The stored document with this key (or "coll/key" handle), or nil.
function col_mt:get(key)
  lazy_expire(self)
  local k = key_of(self, key)
  if not k then return nil end
  return self.docs[k]
end

function col_mt:count()
  lazy_expire(self)
  return self.ndocs
end

--- Iterates over the documents in insertion order. The iterator sees the documents present
-- when it started (in their current version), so writes while iterating are safe.
function col_mt:iterate()
  lazy_expire(self)
  -- the order list is replaced (never shrunk in place) when it is compacted or truncated,
  -- so this one stays valid; documents are looked up in the current `docs`
  local order, i, n = self.order, 0, #self.order
  return function()
    while i < n do
      i = i + 1
      local k = order[i]
      if k then
        local d = self.docs[k]
        if d then return d end
      end
    end
    return nil
  end
end

--- The edges of an edge collection touching `vertex` ("coll/key"): direction "out" (_from),
-- "in" (_to) or "any"/nil. In insertion order.
function col_mt:edges(vertex, direction)
  lazy_expire(self)
  local edge = self.indexes[2]
  if not edge or edge.type ~= "edge" then return {} end
  local hits = {}
  if direction ~= "in" then
    for k in pairs(edge.from[vertex] or EMPTY) do hits[k] = true end
  end
  if direction ~= "out" then
    for k in pairs(edge.to[vertex] or EMPTY) do hits[k] = true end
  end
  local list = {}
  for k in pairs(hits) do list[#list + 1] = k end
  table.sort(list, function(a, b) return self.pos[a] < self.pos[b] end)
  for i, k in ipairs(list) do list[i] = self.docs[k] end
  return list
end

---------------------------------------------------------------------------------------------
-- Writes

--- Raises ArangoDB's revision conflict (412/1200) for the stored document `doc`: the body
-- names its _id, _key and _rev (the router merges `extra` into it) and `headers` go with the
-- answer (default: its quoted etag).
function M.conflict(doc, headers)
  local e = errors.new(412, 1200, "conflict, _rev values do not match")
  e.extra = { _id = doc._id, _key = doc._key, _rev = doc._rev }
  e.headers = headers or { etag = '"' .. doc._rev .. '"' }
  error(e, 0)
end
local conflict = M.conflict

local function not_found() errors.raise(404, 1202) end

local function primary_conflict(key)
  errors.raise(409, 1210, "unique constraint violated - in index primary of type primary over '_key'; "
    .. "conflicting key: " .. key)
end

local function valid_handle(v)
  if type(v) ~= "string" then return false end
  local c, k = v:match("^([^/]+)/(.+)$")
  return c ~= nil and M.valid_name(c, true) and keys.valid(k)
end

local function check_edge(self, doc)
  if self.type ~= 3 then return end
  if not valid_handle(doc._from) or not valid_handle(doc._to) then errors.raise(400, 1233) end
end

-- The evaluator of computed values' expressions: set by the AQL engine through
-- store.set_computed_evaluator(fn(expression, doc, db) -> value).
M.evaluator = nil

local function apply_computed(self, doc, op)
  local cvs = self.computed
  if not cvs then return end
  local eval = M.evaluator
  if not eval then return end
  for _, cv in ipairs(cvs) do
    local on = false
    for _, w in ipairs(cv.computeOn) do if w == op then on = true break end end
    if on and (cv.overwrite or doc[cv.name] == nil) then
      local ok, v = pcall(eval, cv.expression, doc, self.db)
      if not ok then
        if cv.failOnWarning then
          if errors.is_error(v) then error(v, 0) end
          errors.raise(400, 1, tostring(v))
        end
        v = null
      end
      if v == nil then v = null end
      if v == null and not cv.keepNull then doc[cv.name] = nil else doc[cv.name] = v end
    end
  end
end

-- Checks every unique index for `doc` (stored under its _key); raises 1210 (1200 for a
-- value a running transaction other than `trx` holds).
local function check_unique(self, doc, trx)
  for i = 2, #self.indexes do self.indexes[i]:check(doc, doc._key, trx) end
end

local function result_of(doc, old, opts)
  local r = { _id = doc._id, _key = doc._key, _rev = doc._rev }
  if old then r._oldRev = old._rev end
  if opts.returnNew then r.new = doc end
  if opts.returnOld and old then r.old = old end
  return r
end

-- Copies the user attributes of `src` into a fresh document with system attributes set.
local function build(self, src, key, rev_str)
  local d = {}
  for k, v in pairs(src) do
    if not SYSTEM_ATTR[k] then d[k] = v end
  end
  d._key = key
  d._id = self.name .. "/" .. key
  d._rev = rev_str
  return d
end

local function pick_rev(src, opts)
  if opts.isRestore and type(src._rev) == "string" and src._rev ~= "" then return src._rev end
  return rev.next()
end

local function expect_rev(current, given, opts)
  local want = opts.ifMatch
  if want == nil and opts.ignoreRevs == false and type(given) == "string" and given ~= "" then
    want = given
  end
  if want ~= nil and want ~= current._rev then conflict(current) end
end

-- Strips null attributes recursively (keepNull=false on values that are not merged).
local function strip_nulls(v)
  if not is_object(v) then return v end
  local out = {}
  for k, x in pairs(v) do
    if x ~= null then out[k] = strip_nulls(x) end
  end
  return out
end

local function merge(old, patch, keep_null, merge_objects, top)
  local out = {}
  for k, v in pairs(old) do out[k] = v end
  for k, v in pairs(patch) do
    if not (top and SYSTEM_ATTR[k]) then
      if v == null and not keep_null then
        out[k] = nil
      elseif merge_objects and is_object(v) and is_object(out[k]) then
        out[k] = merge(out[k], v, keep_null, true, false)
      elseif not keep_null then
        out[k] = strip_nulls(v)
      else
        out[k] = v
      end
    end
  end
  return out
end

-- External versioning (versionAttribute): a write whose version is not newer than the stored
-- one is skipped without an error, like ArangoDB does.
local function outdated(current, new, opts)
  local attr = opts.versionAttribute
  if type(attr) ~= "string" or attr == "" then return false end
  local old_v, new_v = current[attr], new[attr]
  return type(old_v) == "number" and type(new_v) == "number" and new_v <= old_v
end

local function skipped(current)
  return { _id = current._id, _key = current._key, _rev = current._rev }, "ignored"
end

local function do_replace(self, current, src, opts)
  expect_rev(current, src._rev, opts)
  if outdated(current, src, opts) then return skipped(current) end
  local doc = build(self, src, current._key, pick_rev(src, opts))
  check_edge(self, doc)
  apply_computed(self, doc, "replace")
  schema_mod.check(self.schema, "replace", doc, current)
  check_unique(self, doc, opts.trx)
  write(self, doc._key, doc, opts)
  return result_of(doc, current, opts), "replaced"
end

local function do_update(self, current, patch, opts)
  expect_rev(current, patch._rev, opts)
  if outdated(current, patch, opts) then return skipped(current) end
  local keep_null = opts.keepNull ~= false
  local merge_objects = opts.mergeObjects ~= false
  local doc = merge(current, patch, keep_null, merge_objects, true)
  doc._key, doc._id = current._key, current._id
  doc._rev = pick_rev(patch, opts)
  check_edge(self, doc)
  apply_computed(self, doc, "update")
  schema_mod.check(self.schema, "update", doc, current)
  check_unique(self, doc, opts.trx)
  write(self, doc._key, doc, opts)
  return result_of(doc, current, opts), "updated"
end

local function require_object(v)
  if not is_object(v) then errors.raise(400, 1227) end
end

local MODES = { conflict = true, ignore = true, replace = true, update = true }

--- Inserts a document (see the header for opts). With overwrite/overwriteMode an existing
-- document with the same _key is replaced, updated, or left alone ("ignored").
function col_mt:insert(src, opts)
  opts = opts or EMPTY
  require_object(src)
  lazy_expire(self)
  local mode = opts.overwriteMode
  if mode ~= nil and mode ~= null then
    if not MODES[mode] then bad_param("invalid overwriteMode '" .. tostring(mode) .. "'") end
  elseif opts.overwrite then
    mode = "replace"
  else
    mode = nil
  end
  local key = src._key
  if key ~= nil then
    if opts.isRestore then
      if not keys.valid(key) then errors.raise(400, 1221) end
    else
      self.keygen:check_user_key(key)
    end
    check_lock(self, key, opts.trx)
    local current = self.docs[key]
    if current then
      if mode == nil or mode == "conflict" then primary_conflict(key) end
      if mode == "ignore" then return skipped(current) end
      local sub = setmetatable({ ignoreRevs = true }, { __index = opts })
      if mode == "replace" then return do_replace(self, current, src, sub) end
      return do_update(self, current, src, sub)
    end
  else
    key = self.keygen:generate()
    if self.excl then check_lock(self, key, opts.trx) end
  end
  local doc = build(self, src, key, pick_rev(src, opts))
  check_edge(self, doc)
  apply_computed(self, doc, "insert")
  schema_mod.check(self.schema, "insert", doc, nil)
  check_unique(self, doc, opts.trx)
  write(self, key, doc, opts)
  return result_of(doc, nil, opts), "created"
end

local function target(self, key, body, trx)
  if key == nil and type(body) == "table" then key = body._key end
  if type(key) ~= "string" then
    if key == nil then errors.raise(400, 1226, "missing document key") end
    errors.raise(400, 1221)
  end
  local k = key_of(self, key)
  if not k then not_found() end
  check_lock(self, k, trx)
  local current = self.docs[k]
  if not current then not_found() end
  return current
end

--- Replaces the document `key` (nil: doc._key) with `src`.
function col_mt:replace(key, src, opts)
  opts = opts or EMPTY
  require_object(src)
  lazy_expire(self)
  return do_replace(self, target(self, key, src, opts.trx), src, opts)
end

--- Partially updates the document `key` (nil: patch._key) with `patch` (keepNull,
-- mergeObjects).
function col_mt:update(key, patch, opts)
  opts = opts or EMPTY
  require_object(patch)
  lazy_expire(self)
  return do_update(self, target(self, key, patch, opts.trx), patch, opts)
end

--- Removes the document given by a key/handle string or a {_key, _rev} object.
function col_mt:remove(sel, opts)
  opts = opts or EMPTY
  lazy_expire(self)
  local key, given
  if type(sel) == "table" then
    if not is_object(sel) then errors.raise(400, 1227) end
    key, given = sel._key, sel._rev
  else
    key = sel
  end
  local current = target(self, key, nil, opts.trx)
  expect_rev(current, given, opts)
  write(self, current._key, nil, opts)
  local r = { _id = current._id, _key = current._key, _rev = current._rev }
  if opts.returnOld then r.old = current end
  return r, "removed"
end

--- Removes every document (indexes stay). opts.trx: inside that transaction (which then
-- holds the whole collection until it ends). Raises 409/1200 while another transaction
-- has written to the collection.
function col_mt:truncate(opts)
  opts = opts or EMPTY
  local trx = opts.trx
  if self.excl and self.excl ~= trx then transaction.conflict() end
  for _, owner in pairs(self.locks) do
    if owner ~= trx then transaction.conflict() end
  end
  local rec = { op = "trunc", db = self.db.name, c = self.id }
  if trx then
    trx:_note_truncate(self)
    if self.db.server.wal then trx:_log(self, rec, opts.waitForSync or self.wait_for_sync) end
  else
    self.db.server:log(rec, opts.waitForSync or self.wait_for_sync)
  end
  self:_clear()
  self.revision = rev.next_value()
end

--- True when a write with these options must be synced (201 instead of 202 over HTTP).
function col_mt:syncs(opts)
  return (opts and opts.waitForSync == true) or self.wait_for_sync
end

---------------------------------------------------------------------------------------------
-- Indexes

--- The index with numeric id or name `ref`, or nil.
function col_mt:index(ref)
  local n = math.tointeger(tonumber(ref))
  for _, idx in ipairs(self.indexes) do
    if idx.name == ref or (n and idx.id == n) then return idx end
  end
  return nil
end

-- Adds an index object and fills it from the stored documents (raises 1210 on duplicates).
function col_mt:_add_index(idx)
  if idx.entries then
    for _, k in ipairs(self.order) do
      local d = k and self.docs[k]
      if d then idx:check(d, d._key) idx:add(d) end
    end
  else
    for _, k in ipairs(self.order) do
      local d = k and self.docs[k]
      if d then idx:add(d) end
    end
  end
  self.indexes[#self.indexes + 1] = idx
  if idx.type == "ttl" then self.ttl = idx end
end

--- Creates an index from a request body (ensureIndex semantics). Returns the index and
-- whether it is new. Raises 400/10 (bad definition), 409/1207 (name taken by another index),
-- 409/1210 (unique index over duplicate values: nothing is created).
function col_mt:ensure_index(def)
  local d = indexes.normalize(def)
  for _, idx in ipairs(self.indexes) do
    if indexes.same(idx, d) and (d.name == nil or d.name == idx.name) then return idx, false end
  end
  if d.name then
    for _, idx in ipairs(self.indexes) do
      if idx.name == d.name then errors.raise(409, 1207, "duplicate value: an index with the name '"
        .. d.name .. "' already exists") end
    end
  end
  if d.type == "ttl" and self.ttl then
    bad_param("there can only be one ttl index per collection")
  end
  local id = def.id and math.tointeger(tonumber(def.id)) or self.db.server:tick()
  local idx = indexes.new(d, id)
  self:_add_index(idx) -- raises before anything is kept when a unique index finds duplicates
  local state = indexes.copy(idx.def)
  state.id = idx.id
  local ok, err = pcall(self.db.server.log, self.db.server,
    { op = "cidx", db = self.db.name, c = self.id, i = state })
  if not ok then
    self.indexes[#self.indexes] = nil
    if idx.type == "ttl" then self.ttl = nil end
    error(err, 0)
  end
  if idx.type == "ttl" then lazy_expire(self) end
  return idx, true
end

-- Restores an index from its persisted definition (replay).
function col_mt:_restore_index(state)
  local idx = indexes.new(state, state.id)
  self:_add_index(idx)
end

--- Drops an index by id/name. Raises 404/1212 when missing, 403/11 for the primary and
-- edge indexes.
function col_mt:drop_index(ref)
  for i, idx in ipairs(self.indexes) do
    if idx.name == ref or idx.id == math.tointeger(tonumber(ref)) then
      if idx.type == "primary" or idx.type == "edge" then
        errors.raise(403, 11, "cannot drop primary or edge index")
      end
      self.db.server:log{ op = "didx", db = self.db.name, c = self.id, i = idx.id }
      table.remove(self.indexes, i)
      if idx.type == "ttl" then self.ttl = nil end
      return idx
    end
  end
  errors.raise(404, 1212)
end

---------------------------------------------------------------------------------------------
-- Checksums and figures

-- FNV-1a, 64 bit, in Lua's wrapping integer arithmetic.
local FNV_OFFSET, FNV_PRIME = -3750763034362895579, 1099511628211
local function fnv(s, h)
  h = h or FNV_OFFSET
  for i = 1, #s do
    h = (h ~ s:byte(i)) * FNV_PRIME
  end
  return h
end

--- The checksum ArangoDB's /checksum gives: XOR over the documents of hashes of their key
-- (+ revision, + data). Returned as an unsigned decimal string.
function col_mt:checksum(with_revisions, with_data)
  lazy_expire(self)
  local sum = 0
  for d in self:iterate() do
    local h = fnv(d._key)
    if with_revisions then h = fnv(d._rev, h) end
    if with_data then
      local data = {}
      for k, v in pairs(d) do if not SYSTEM_ATTR[k] then data[k] = v end end
      h = fnv(indexes.canon(data), h)
    end
    sum = sum ~ h
  end
  return string.format("%u", sum)
end

--- The collection revision (the newest _rev written, as a revision string; "0" if never).
function col_mt:revision_string()
  if self.revision == 0 then return "0" end
  return rev.encode(self.revision)
end

function col_mt:figures(details)
  local n = self:count()
  local f = {
    indexes = { count = #self.indexes, size = 4096 * #self.indexes },
    documentsSize = n * 64,
    cacheInUse = false, cacheSize = 0, cacheUsage = 0,
  }
  if details then
    local list = json.array{}
    for _, idx in ipairs(self.indexes) do
      list[#list + 1] = { type = idx.type, id = idx.id, count = n }
    end
    f.engine = { documents = n, indexes = list }
  end
  return f
end

--- Re-points document _id values after a rename.
function col_mt:_renamed(new_name)
  self.name = new_name
  for _, k in ipairs(self.order) do
    local d = k and self.docs[k]
    if d then d._id = new_name .. "/" .. k end
  end
end

return M
