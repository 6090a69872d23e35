-- The devserver's data model: a server holds databases, a database holds collections
-- (devserver/store/collection.lua holds documents and indexes). In memory, optionally persisted
-- to a data directory through an operation log + snapshots (devserver/store/wal.lua).
--
--   local store = require "arango.devserver.store"
--   local server = store.new{ data_dir = nil | "/path", sync = false }
--   server:database(name) -> db | nil          server:databases() -> { "_system", ... } (sorted)
--   server:create_database(name, { options = {...} }) -> db   (400/1229 bad name, 409/1207 taken)
--   server:drop_database(name)                 (404/1228 missing, 403/11 for _system)
--   server:close()                             (stops the ttl sweeper, closes files)
--   server:begin(opts) -> trx                  (store/transaction.lua)
--   server:run_in_transaction(fn, opts, ...)   (fn(trx, ...): commits, or aborts and re-raises)
--   server:expire(now) (ttl sweep), server:compact() (snapshot the log)
--   db:collection(name_or_id) -> col | nil     db:collections() -> { col, ... } (sorted by name)
--   db:create_collection(name, props) -> col   (props as POST /_api/collection takes them)
--   db:drop_collection(name, { is_system = bool }) -> col
--   db:rename_collection(old, new) -> col
--   db:info() -> the /_api/database/current object
--   store.set_computed_evaluator(fn(expression, doc, db) -> value)   (the AQL engine sets it)
-- Errors are devserver error objects (errors.lua) with an HTTP status and errorNum.
local json = require "arango.json"
local errors = require "arango.devserver.errors"
local keys = require "arango.devserver.store.keys"
local schema_mod = require "arango.devserver.store.schema"
local collection = require "arango.devserver.store.collection"
local wal_mod = require "arango.devserver.store.wal"
local rev = require "arango.devserver.store.rev"
local transaction = require "arango.devserver.store.transaction"

local M = {}
M.collection = collection
M.transaction = transaction

local null = json.null

-- The system collections ArangoDB 3.12 creates, with the ids it gives them in _system.
local SYSTEM_ONLY = { { "_users", 3 }, { "_statistics", 4 }, { "_statistics15", 5 }, { "_statisticsRaw", 6 } }
local PER_DATABASE = { { "_graphs", 7 }, { "_analyzers", 8 }, { "_aqlfunctions", 9 }, { "_queues", 10 },
  { "_jobs", 11 }, { "_apps", 12 }, { "_appbundles", 13 }, { "_frontend", 14 } }
local SYSTEM_INDEXES = {
  _users = { { type = "persistent", fields = { "user" }, unique = true, sparse = true } },
  _apps = { { type = "persistent", fields = { "mount" }, unique = true, sparse = true } },
}

--- Lets the AQL engine evaluate computedValues expressions: fn(expression, doc, db) -> value.
function M.set_computed_evaluator(fn)
  collection.evaluator = fn
end

local server_mt = {}
server_mt.__index = server_mt
local db_mt = {}
db_mt.__index = db_mt

--- True when `name` is a valid database name (traditional naming).
function M.valid_database_name(name)
  return type(name) == "string" and #name > 0 and #name <= 64 and name:find("^[%a_][%w_%-]*$") ~= nil
    and (name:sub(1, 1) ~= "_" or name == "_system")
end

---------------------------------------------------------------------------------------------
-- Server

--- Creates the store. opts: data_dir (persist there; replays what is there), sync (fsync
-- every write), sweep (default true: a luv timer removes ttl-expired documents every second
-- when a loop runs), compact_bytes (log size that triggers a snapshot).
function M.new(opts)
  opts = opts or {}
  local hex = {}
  for i = 1, 12 do hex[i] = string.format("%x", math.random(0, 15)) end
  local server = setmetatable({ dbs = {}, ticks = 100, guid_prefix = "h" .. table.concat(hex):upper() },
    server_mt)
  if opts.data_dir then
    server.wal = wal_mod.open(opts.data_dir, { sync = opts.sync, compact_bytes = opts.compact_bytes })
    server.replaying = true
    local ok, err = pcall(server.wal.load, server.wal, function(rec) server:_apply(rec) end)
    server.replaying = false
    if not ok then
      server.wal:close()
      error(err, 0)
    end
  end
  if not server.dbs._system then server:create_database("_system") end
  if server.wal then server:compact() end
  if opts.sweep ~= false then server:_start_sweeper() end
  return server
end

--- A new server-wide tick (collection/index ids, traditional keys).
function server_mt:tick()
  self.ticks = self.ticks + 1
  return self.ticks
end

function server_mt:_witness_tick(v)
  v = math.tointeger(tonumber(v))
  if v and v > self.ticks then self.ticks = v end
end

-- Compaction snapshots the memory state, so it waits while transactions have uncommitted
-- writes (the snapshot would keep what they may still roll back). Called before each log
-- append and when the last transaction with writes has ended.
function server_mt:_compact_if_due()
  if self.compact_pending and (self.active_trx or 0) == 0 then
    self.compact_pending = false
    self:compact()
  end
end

--- Appends a record to the log (when persistent). `sync` forces an fsync.
function server_mt:log(rec, sync)
  local w = self.wal
  if not w or self.replaying then return end
  self:_compact_if_due()
  rec.t = self.ticks
  w:append({ rec }, sync)
  if w:wants_compaction() then self.compact_pending = true end
end

--- Appends records as ONE unit: a single log line replay applies all or nothing (a torn
-- last line is dropped). `sync` forces an fsync.
function server_mt:log_unit(recs, sync)
  local w = self.wal
  if not w or self.replaying or #recs == 0 then return end
  if #recs == 1 then return self:log(recs[1], sync) end
  self:_compact_if_due()
  w:append({ { op = "trx", r = recs, t = self.ticks } }, sync)
  if w:wants_compaction() then self.compact_pending = true end
end

--- Starts a transaction (store/transaction.lua). opts.waitForSync: fsync its commit.
function server_mt:begin(opts)
  return transaction.begin(self, opts)
end

--- Runs fn(trx, ...) in a new transaction: commits when it returns (passing its results
-- on), aborts and re-raises when it raises.
function server_mt:run_in_transaction(fn, opts, ...)
  local trx = transaction.begin(self, opts)
  local res = table.pack(pcall(fn, trx, ...))
  if not res[1] then
    trx:abort()
    error(res[2], 0)
  end
  trx:commit()
  return table.unpack(res, 2, res.n)
end

-- Re-applies one logged record (replay). Records are idempotent "put"-style descriptions.
function server_mt:_apply(rec)
  if rec.t then self:_witness_tick(rec.t) end
  local op = rec.op
  if op == "trx" then
    -- one committed unit (a transaction): its records in order
    for _, r in ipairs(rec.r) do self:_apply(r) end
    return
  elseif op == "cdb" then
    self:_add_database(rec.db, rec.id, rec.o)
    return
  elseif op == "ddb" then
    self.dbs[rec.db] = nil
    return
  end
  local db = self.dbs[rec.db]
  if not db then error("log refers to unknown database " .. tostring(rec.db), 0) end
  if op == "ccol" then
    db:_restore_collection(rec.p)
    return
  end
  local col = db.by_id[rec.c]
  if not col then error("log refers to unknown collection " .. tostring(rec.c), 0) end
  if op == "put" then
    col:_put(rec.d)
    if rec.kg then col.keygen:restore(rec.kg) end
  elseif op == "del" then
    col:_del(rec.k)
  elseif op == "trunc" then
    col:_clear()
  elseif op == "dcol" then
    db:_remove_collection(col)
  elseif op == "ren" then
    db.cols[col.name] = nil
    col:_renamed(rec.n)
    db.cols[rec.n] = col
  elseif op == "props" then
    local p = rec.p
    col.wait_for_sync, col.cache_enabled = p.waitForSync, p.cacheEnabled
    col.schema = p.schema ~= null and p.schema or nil
    col.computed = p.computedValues ~= null and p.computedValues or nil
  elseif op == "cidx" then
    col:_restore_index(rec.i)
  elseif op == "didx" then
    for i, idx in ipairs(col.indexes) do
      if idx.id == rec.i then
        table.remove(col.indexes, i)
        if idx.type == "ttl" then col.ttl = nil end
        break
      end
    end
  else
    error("unknown log record " .. tostring(op), 0)
  end
end

--- Folds the log into a fresh snapshot of the whole state.
function server_mt:compact()
  if not self.wal then return end
  self.wal:compact(function(emit)
    for _, name in ipairs(self:databases()) do
      local db = self.dbs[name]
      emit{ op = "cdb", db = name, id = db.id, o = db.options, t = self.ticks }
      for _, col in ipairs(db:collections()) do
        emit{ op = "ccol", db = name, p = col:state() }
        for _, k in ipairs(col.order) do
          local d = k and col.docs[k]
          if d then emit{ op = "put", db = name, c = col.id, d = d } end
        end
      end
    end
  end)
end

function server_mt:_start_sweeper()
  local ok, uv = pcall(require, "luv")
  if not ok then return end
  local timer = uv.new_timer()
  self.sweeper = timer
  timer:start(1000, 1000, function()
    pcall(self.expire, self)
  end)
  timer:unref() -- never keeps a loop alive on its own
end

--- Removes ttl-expired documents everywhere (the sweeper calls it every second).
function server_mt:expire(now)
  local n = 0
  for _, db in pairs(self.dbs) do
    for _, col in pairs(db.cols) do
      if col.ttl then n = n + col:expire(now) end
    end
  end
  return n
end

function server_mt:close()
  if self.sweeper then
    self.sweeper:stop()
    if not self.sweeper:is_closing() then self.sweeper:close() end
    self.sweeper = nil
  end
  if self.wal then self.wal:close() end
end

function server_mt:database(name)
  return self.dbs[name]
end

--- The names of all databases, sorted.
function server_mt:databases()
  local names = {}
  for name in pairs(self.dbs) do names[#names + 1] = name end
  table.sort(names)
  return names
end

function server_mt:_add_database(name, id, options)
  local db = setmetatable({ server = self, name = name, id = id, is_system = name == "_system",
    options = options or {}, cols = {}, by_id = {} }, db_mt)
  self.dbs[name] = db
  return db
end

--- Creates a database with its system collections. opts.options: sharding,
-- replicationFactor, writeConcern (kept and reported).
function server_mt:create_database(name, opts)
  if not M.valid_database_name(name) then errors.raise(400, 1229) end
  if self.dbs[name] then errors.raise(409, 1207, "duplicate database name") end
  local options = {}
  local given = opts and opts.options
  if type(given) == "table" then
    for _, k in ipairs{ "sharding", "replicationFactor", "writeConcern" } do
      if given[k] ~= nil then options[k] = given[k] end
    end
  end
  local id = name == "_system" and 1 or self:tick()
  self:log{ op = "cdb", db = name, id = id, o = options }
  local db = self:_add_database(name, id, options)
  local list = {}
  if name == "_system" then
    for _, c in ipairs(SYSTEM_ONLY) do list[#list + 1] = c end
  end
  for _, c in ipairs(PER_DATABASE) do list[#list + 1] = c end
  for _, c in ipairs(list) do
    local col = db:create_collection(c[1], { isSystem = true, id = name == "_system" and c[2] or nil })
    for _, def in ipairs(SYSTEM_INDEXES[c[1]] or {}) do col:ensure_index(def) end
  end
  return db
end

--- Drops a database and everything in it.
function server_mt:drop_database(name)
  if name == "_system" then errors.raise(403, 11) end
  if not self.dbs[name] then errors.raise(404, 1228) end
  self:log{ op = "ddb", db = name }
  self.dbs[name] = nil
end

---------------------------------------------------------------------------------------------
-- Database

function db_mt:info()
  return { name = self.name, id = tostring(self.id), path = "none", isSystem = self.is_system,
    sharding = self.options.sharding or "", replicationFactor = self.options.replicationFactor or 1,
    writeConcern = self.options.writeConcern or 1 }
end

--- The collection with this name or id (number or numeric string), or nil.
function db_mt:collection(ref)
  local c = self.cols[ref]
  if c then return c end
  local id = math.tointeger(tonumber(ref))
  if id then return self.by_id[id] end
  return nil
end

--- All collections sorted by name.
function db_mt:collections()
  local list = {}
  for _, c in pairs(self.cols) do list[#list + 1] = c end
  table.sort(list, function(a, b) return a.name < b.name end)
  return list
end

local function bool_prop(props, name)
  local v = props[name]
  if v == nil or v == null then return nil end
  if type(v) ~= "boolean" then errors.raise(400, 10, "'" .. name .. "' must be a boolean") end
  return v
end

local PASSTHROUGH = { "numberOfShards", "replicationFactor", "writeConcern", "minReplicationFactor",
  "shardKeys", "shardingStrategy", "distributeShardsLike", "smartJoinAttribute", "isSmart",
  "smartGraphAttribute", "isDisjoint" }

--- Creates a collection. props: type (2 document, 3 edge), waitForSync, isSystem, keyOptions,
-- schema, computedValues, cacheEnabled, and the cluster properties (accepted, kept).
-- Raises 400/1208 (name), 409/1207 (exists), 400/1218 (type), 400/1232 (key generator),
-- 400/1621 (schema), 400/10 (other bad values).
function db_mt:create_collection(name, props)
  props = props or {}
  if type(props) ~= "table" then errors.raise(400, 10, "expecting object") end
  local is_system = type(name) == "string" and name:sub(1, 1) == "_"
  if is_system and props.isSystem ~= true and not self.server.replaying then
    errors.raise(400, 1208, "illegal name: collection name '" .. name
      .. "' is reserved for system collections")
  end
  if not collection.valid_name(name, is_system) then
    errors.raise(400, 1208, "illegal name")
  end
  if self.cols[name] then errors.raise(409, 1207, "duplicate name") end
  local ctype = props.type
  if ctype == nil or ctype == null then ctype = 2
  elseif ctype == "document" then ctype = 2
  elseif ctype == "edge" then ctype = 3 end
  if ctype ~= 2 and ctype ~= 3 then errors.raise(400, 1218) end
  local wfs = bool_prop(props, "waitForSync")
  local cache = bool_prop(props, "cacheEnabled")
  bool_prop(props, "isSystem")
  local ko = props.keyOptions
  if ko == null then ko = nil end
  local keygen = keys.new(ko, function() return self.server:tick() end)
  local sch = schema_mod.normalize(props.schema)
  local comp = collection.normalize_computed(props.computedValues)
  local extra = {}
  for _, k in ipairs(PASSTHROUGH) do
    if props[k] ~= nil and props[k] ~= null then extra[k] = props[k] end
  end
  local id = math.tointeger(tonumber(props.id)) or self.server:tick()
  local col = collection.new(self, { name = name, id = id, type = ctype, isSystem = is_system,
    waitForSync = wfs, cacheEnabled = cache, schema = sch, computedValues = comp, keygen = keygen,
    extra = extra })
  self.server:log{ op = "ccol", db = self.name, p = col:state() }
  self.cols[name] = col
  self.by_id[id] = col
  return col
end

-- Re-creates a collection from col:state() (replay).
function db_mt:_restore_collection(s)
  local ko = s.keyOptions ~= null and s.keyOptions or nil
  local keygen = keys.new(ko, function() return self.server:tick() end)
  local col = collection.new(self, { name = s.name, id = s.id, type = s.type, isSystem = s.isSystem,
    waitForSync = s.waitForSync, cacheEnabled = s.cacheEnabled,
    schema = s.schema ~= null and s.schema or nil,
    computedValues = s.computedValues ~= null and s.computedValues or nil,
    keygen = keygen, extra = s.extra })
  if s.revision then
    col.revision = s.revision
    rev.witness(s.revision)
  end
  for _, d in ipairs(s.indexes or {}) do col:_restore_index(d) end
  self.server:_witness_tick(s.id)
  self.cols[s.name] = col
  self.by_id[s.id] = col
  return col
end

function db_mt:_remove_collection(col)
  self.cols[col.name] = nil
  self.by_id[col.id] = nil
  col.dropped = true
end

local function find(self, ref)
  local col = self:collection(ref)
  if not col then errors.raise(404, 1203) end
  return col
end

--- Drops a collection; system collections need opts.is_system. Returns the dropped collection.
function db_mt:drop_collection(ref, opts)
  local col = find(self, ref)
  if col.is_system and not (opts and opts.is_system) then errors.raise(403, 11) end
  self.server:log{ op = "dcol", db = self.name, c = col.id }
  self:_remove_collection(col)
  return col
end

--- Renames a collection (not system ones).
function db_mt:rename_collection(ref, new_name)
  local col = find(self, ref)
  if col.is_system then errors.raise(403, 11) end
  if type(new_name) ~= "string" or not collection.valid_name(new_name, false) then
    errors.raise(400, 1208, "illegal name")
  end
  if new_name == col.name then return col end
  if self.cols[new_name] then errors.raise(409, 1207, "duplicate name") end
  self.server:log{ op = "ren", db = self.name, c = col.id, n = new_name }
  self.cols[col.name] = nil
  col:_renamed(new_name)
  self.cols[new_name] = col
  return col
end

return M
