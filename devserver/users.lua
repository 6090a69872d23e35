-- User accounts and their permissions, kept as documents in _system's _users collection (so
-- they persist with the data directory like any document) and mirrored in a name -> document
-- cache because every request asks for a permission level.
--
-- Document shape follows ArangoDB's _users collection:
--   { user, source = "LOCAL", active, extra, authData = { active, simple = { method, salt, hash } },
--     databases = { [db] = { permissions = { read, write },
--                            collections = { [col] = { permissions = { read, write } } } } },
--     tokens = { { id, name, valid_until, created_at, fingerprint, hash (sha256 of the token) } },
--     next_token_id }
-- Missing entries mean "undefined": the level then falls back to the `*` entries.
--
--   local users = require("arango.devserver.users").new(state)   -- state.store: the store
--   users:get(name), users:list(), users:check_password(name, password), users:version
--   users:create(name, opts), users:modify(name, opts, patch), users:remove(name)
--   users:set_database_level(name, db, level|nil), users:set_collection_level(...), users:forget(db [, col])
--   users:database_level(name, db), users:collection_level(name, db, col)   -> "rw"|"ro"|"none"
--   users:create_access_token(...), users:access_tokens(name), users:delete_access_token(name, id)
-- Writers raise devserver errors (400/1700 bad name, 409/1702 exists, 404/1703 unknown user).
local core = require "arango.core"
local errors = require "arango.devserver.errors"
local auth_mod = require "arango.devserver.auth"

local M = {}

local Users = {}
Users.__index = Users

local USERS = "_users"

local function level_of(perm)
  if type(perm) ~= "table" then return nil end
  local p = perm.permissions
  if type(p) ~= "table" then return nil end
  if p.write then return "rw" end
  if p.read then return "ro" end
  return "none"
end

local function perm_of(level)
  return { read = level == "ro" or level == "rw", write = level == "rw" }
end

--- Maps a grant string to a level; nil when invalid.
function M.parse_grant(g)
  if g == "rw" or g == "ro" or g == "none" then return g end
  return nil
end

local function deep_copy(v)
  if type(v) ~= "table" then return v end
  local out = {}
  for k, x in pairs(v) do out[k] = deep_copy(x) end
  return setmetatable(out, getmetatable(v))
end

--- The user accounts of a server; `state.store` is its store. `version` grows with every
-- change (devserver/auth.lua keys its credential cache on it).
function M.new(state)
  return setmetatable({ state = state, by_name = nil, version = 0 }, Users)
end

-- The _users collection, created on first use.
function Users:collection()
  local sys = assert(self.state.store:database("_system"), "no _system database")
  local col = sys:collection(USERS)
  if not col then
    col = sys:create_collection(USERS, { isSystem = true })
  end
  return col
end

-- (Re)reads every user document into the name -> document cache.
function Users:load()
  local by_name = {}
  for d in self:collection():iterate() do
    if type(d.user) == "string" then by_name[d.user] = d end
  end
  self.by_name = by_name
  self.version = self.version + 1
end

function Users:cache()
  if not self.by_name then self:load() end
  return self.by_name
end

--- The user's document (cached), or nil.
function Users:get(name)
  return self:cache()[name]
end

function Users:is_active(rec) -- luacheck: ignore 212
  return rec.active ~= false
end

--- All user documents, sorted by name.
function Users:list()
  local out = {}
  for _, d in pairs(self:cache()) do out[#out + 1] = d end
  table.sort(out, function(a, b) return a.user < b.user end)
  return out
end

local function hash_password(password)
  local salt = auth_mod.tohex(core.random_bytes(4))
  return { method = "sha256", salt = salt, hash = auth_mod.tohex(core.sha256(salt .. password)) }
end

--- True when `password` is the user's password (or one of its active access tokens).
function Users:check_password(name, password)
  local rec = self:get(name)
  if not rec or not self:is_active(rec) then return false end
  local simple = rec.authData and rec.authData.simple
  if type(simple) == "table" and type(simple.salt) == "string" then
    local h = auth_mod.tohex(core.sha256(simple.salt .. password))
    if auth_mod.same(h, simple.hash or "") then return true end
  end
  if password:sub(1, 3) == "v1." then
    return self:check_access_token(rec, password) ~= nil
  end
  return false
end

-- Writes `rec` (a full user document) to the store and the cache.
function Users:save(rec)
  local col = self:collection()
  local key = rec._key
  local doc = deep_copy(rec)
  doc._id, doc._rev = nil, nil
  if key and col:get(key) then
    col:replace(key, doc, {})
  else
    if not key then
      key = "u" .. auth_mod.tohex(core.sha256(rec.user)):sub(1, 24)
      doc._key = key
    end
    col:insert(doc, {})
  end
  local stored = col:get(key) or doc
  self:cache()[rec.user] = stored
  self.version = self.version + 1
  return stored
end

--- Validates a user name like ArangoDB (non-empty string, at most 254 bytes).
function M.valid_name(name)
  return type(name) == "string" and #name > 0 and #name <= 254
end

--- Creates a user; fails 409/1702 when it exists.
function Users:create(name, opts)
  opts = opts or {}
  if not M.valid_name(name) then errors.raise(400, 1700) end
  if self:get(name) then errors.raise(409, 1702) end
  local active = opts.active
  if active == nil then active = true end
  local rec = {
    user = name, source = "LOCAL", active = active, extra = opts.extra or {},
    authData = { active = active, simple = hash_password(opts.passwd or "") },
    databases = opts.databases or {},
  }
  return self:save(rec)
end

--- Replaces (patch=false) or updates (patch=true) password, active and extra.
function Users:modify(name, opts, patch)
  local rec = self:get(name)
  if not rec then errors.raise(404, 1703) end
  rec = deep_copy(rec)
  if opts.passwd ~= nil or not patch then
    rec.authData = rec.authData or {}
    rec.authData.simple = hash_password(opts.passwd or "")
  end
  if opts.active ~= nil then
    rec.active = opts.active
  elseif not patch then
    rec.active = true
  end
  rec.authData = rec.authData or {}
  rec.authData.active = rec.active
  if opts.extra ~= nil then
    if patch and type(rec.extra) == "table" then
      for k, v in pairs(opts.extra) do rec.extra[k] = v end
    else
      rec.extra = opts.extra
    end
  elseif not patch then
    rec.extra = {}
  end
  return self:save(rec)
end

function Users:remove(name)
  local rec = self:get(name)
  if not rec then errors.raise(404, 1703) end
  local col = self:collection()
  if rec._key and col:get(rec._key) then col:remove(rec._key, {}) end
  self:cache()[name] = nil
  self.version = self.version + 1
end

--- Sets (level) or clears (nil) the user's level on database `db` (or `*`).
function Users:set_database_level(name, db, level)
  local rec = self:get(name)
  if not rec then errors.raise(404, 1703) end
  rec = deep_copy(rec)
  rec.databases = rec.databases or {}
  if level == nil then
    local entry = rec.databases[db]
    if entry and entry.collections and next(entry.collections) then
      entry.permissions = nil
    else
      rec.databases[db] = nil
    end
  else
    local entry = rec.databases[db] or {}
    entry.permissions = perm_of(level)
    rec.databases[db] = entry
  end
  return self:save(rec)
end

--- Sets (level) or clears (nil) the user's level on collection `col` (or `*`) of `db` (or `*`).
function Users:set_collection_level(name, db, col, level)
  local rec = self:get(name)
  if not rec then errors.raise(404, 1703) end
  rec = deep_copy(rec)
  rec.databases = rec.databases or {}
  local entry = rec.databases[db] or {}
  entry.collections = entry.collections or {}
  if level == nil then
    entry.collections[col] = nil
  else
    entry.collections[col] = { permissions = perm_of(level) }
  end
  rec.databases[db] = entry
  return self:save(rec)
end

--- Removes every grant on database `db` (when it is dropped) or on collection `col` of it.
function Users:forget(db, col)
  for name, rec in pairs(self:cache()) do
    local entry = rec.databases and rec.databases[db]
    if entry then
      if col then
        if entry.collections and entry.collections[col] then
          self:set_collection_level(name, db, col, nil)
        end
      else
        local copy = deep_copy(rec)
        copy.databases[db] = nil
        self:save(copy)
      end
    end
  end
end

--- The level configured for `db` itself ("rw"/"ro"/"none") or nil when undefined.
function Users:configured_database_level(name, db)
  local rec = self:get(name)
  local entry = rec and rec.databases and rec.databases[db]
  return level_of(entry)
end

--- The level configured for `col` in `db` itself, or nil when undefined.
function Users:configured_collection_level(name, db, col)
  local rec = self:get(name)
  local entry = rec and rec.databases and rec.databases[db]
  local c = entry and entry.collections and entry.collections[col]
  return level_of(c)
end

--- Effective database level: the database's own entry, else `*`, else none.
function Users:database_level(name, db)
  local rec = self:get(name)
  if not rec or not self:is_active(rec) then return "none" end
  local dbs = rec.databases
  if not dbs then return "none" end
  return level_of(dbs[db]) or level_of(dbs["*"]) or "none"
end

--- Effective collection level, resolved like ArangoDB: the collection's entry in the
-- database, the database's `*` collection entry, then the same two under the `*` database,
-- then the database level. _system/_users is never accessible through it; other system
-- collections follow the database level.
function Users:collection_level(name, db, col)
  local rec = self:get(name)
  if not rec or not self:is_active(rec) then return "none" end
  if col:sub(1, 1) == "_" then
    if db == "_system" and col == USERS then return "none" end
    return self:database_level(name, db)
  end
  local dblevel = self:database_level(name, db)
  if dblevel == "none" then return "none" end
  local dbs = rec.databases or {}
  local function in_db(d)
    local entry = dbs[d]
    local cols = entry and entry.collections
    if not cols then return nil end
    return level_of(cols[col]) or level_of(cols["*"])
  end
  return in_db(db) or in_db("*") or dblevel
end

-- Access tokens (POST /_api/token/{user}) -----------------------------------------------

--- Creates an access token; returns the public record plus `token` (shown once).
function Users:create_access_token(name, token_name, valid_until)
  local rec = self:get(name)
  if not rec then errors.raise(404, 1703) end
  rec = deep_copy(rec)
  rec.tokens = rec.tokens or {}
  for _, t in ipairs(rec.tokens) do
    if t.name == token_name then errors.raise(409, 1207, "duplicate access token name") end
  end
  rec.next_token_id = (rec.next_token_id or 0) + 1
  local now = os.time()
  -- like ArangoDB's: "v1." + hex of a small JSON object carrying random bytes
  local inner = string.format('{"e":%d,"c":%d,"u":%q,"r":"%s"}', valid_until, now, name,
    core.base64url_encode(core.random_bytes(15)))
  local token = "v1." .. auth_mod.tohex(inner)
  local hash = auth_mod.tohex(core.sha256(token))
  local entry = {
    id = rec.next_token_id, name = token_name, valid_until = valid_until, created_at = now,
    fingerprint = "v1..." .. hash:sub(-6), hash = hash,
  }
  rec.tokens[#rec.tokens + 1] = entry
  self:save(rec)
  return {
    id = entry.id, name = entry.name, valid_until = valid_until, created_at = now,
    fingerprint = entry.fingerprint, active = valid_until > now, token = token,
  }
end

--- The user's access tokens (without secrets).
function Users:access_tokens(name)
  local rec = self:get(name)
  if not rec then errors.raise(404, 1703) end
  local out = {}
  local now = os.time()
  for _, t in ipairs(rec.tokens or {}) do
    out[#out + 1] = { id = t.id, name = t.name, valid_until = t.valid_until, created_at = t.created_at,
      fingerprint = t.fingerprint, active = t.valid_until > now }
  end
  return out
end

function Users:delete_access_token(name, id)
  local rec = self:get(name)
  if not rec then errors.raise(404, 1703) end
  rec = deep_copy(rec)
  local kept, found = {}, false
  for _, t in ipairs(rec.tokens or {}) do
    if tostring(t.id) == tostring(id) then found = true else kept[#kept + 1] = t end
  end
  if not found then errors.raise(404, 1203, "access token not found") end
  rec.tokens = kept
  self:save(rec)
end

-- Returns the token entry when `token` is a valid, unexpired access token of `rec`.
function Users:check_access_token(rec, token) -- luacheck: ignore 212
  local hash = auth_mod.tohex(core.sha256(token))
  local now = os.time()
  for _, t in ipairs(rec.tokens or {}) do
    if auth_mod.same(t.hash or "", hash) and t.valid_until > now then return t end
  end
  return nil
end

--- Makes sure `root` exists (with rw on every database) as ArangoDB does on first start.
function Users:ensure_root(password)
  if self:get("root") then return end
  self:create("root", {
    passwd = password or "",
    databases = { ["*"] = { permissions = perm_of("rw"),
                             collections = { ["*"] = { permissions = perm_of("rw") } } },
                  _system = { permissions = perm_of("rw") } },
  })
end

return M
