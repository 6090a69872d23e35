-- User management: /_api/user (create, list), /_api/user/{user} (get, replace, update,
-- remove) and the permission endpoints under /_api/user/{user}/database. Managing other
-- users needs rw on _system (403/11 otherwise); a user may read its own account and levels.
-- Exports self_or_admin for the access-token endpoints (api/auth.lua).
local json = require "arango.json"
local users_mod = require "arango.devserver.users"

local M = {}

local function need_admin(ctx)
  if not ctx:is_admin() then ctx:fail(403, 11) end
end

--- Fails 403/11 unless the caller is an admin or the user `name` itself; returns `name`.
function M.self_or_admin(ctx, name)
  if ctx:is_admin() or (ctx.user ~= nil and ctx.user == name) then return name end
  ctx:fail(403, 11)
end
local self_or_admin = M.self_or_admin

local function public(rec, code)
  local out = { user = rec.user, active = rec.active ~= false, extra = rec.extra or {} }
  if code then
    out.code, out.error = code, false
  end
  return out
end

local function object_body(ctx)
  local body = ctx:json()
  if body == nil then return {} end
  if type(body) ~= "table" or json.is_array(body) then ctx:fail(400, 10, "expecting a JSON object") end
  return body
end

local function user_opts(ctx, body)
  local opts = {}
  if body.passwd ~= nil then
    if type(body.passwd) ~= "string" then ctx:fail(400, 10, "passwd must be a string") end
    opts.passwd = body.passwd
  end
  if body.active ~= nil then
    if type(body.active) ~= "boolean" then ctx:fail(400, 10, "active must be a boolean") end
    opts.active = body.active
  end
  if body.extra ~= nil then
    if type(body.extra) ~= "table" or json.is_array(body.extra) then
      ctx:fail(400, 10, "extra must be an object")
    end
    opts.extra = body.extra
  end
  return opts
end

local function create(ctx)
  need_admin(ctx)
  local body = object_body(ctx)
  local name = body.user
  if not users_mod.valid_name(name) then ctx:fail(400, 1700) end
  local rec = ctx.server.users:create(name, user_opts(ctx, body))
  return 201, public(rec, 201)
end

local function list(ctx)
  local users = ctx.server.users
  local out = {}
  local admin = ctx:is_admin()
  for _, rec in ipairs(users:list()) do
    if admin or rec.user == ctx.user then out[#out + 1] = public(rec) end
  end
  return 200, { error = false, code = 200, result = json.array(out) }
end

local function get(ctx)
  local name = ctx.params.user
  self_or_admin(ctx, name)
  local rec = ctx.server.users:get(name)
  if not rec then ctx:fail(404, 1703) end
  return 200, public(rec, 200)
end

local function modify(patch)
  return function(ctx)
    local name = ctx.params.user
    self_or_admin(ctx, name)
    local body = object_body(ctx)
    local opts = user_opts(ctx, body)
    if not ctx:is_admin() then
      -- a user may change its own password, not its status or extras
      opts.active, opts.extra = nil, nil
    end
    local rec = ctx.server.users:modify(name, opts, patch)
    return 200, public(rec, 200)
  end
end

local function remove(ctx)
  need_admin(ctx)
  ctx.server.users:remove(ctx.params.user)
  return 202, { error = false, code = 202 }
end

local function check_user(ctx)
  local rec = ctx.server.users:get(ctx.params.user)
  if not rec then ctx:fail(404, 1703) end
  return rec
end

local function check_db(ctx, db)
  if db ~= "*" and not ctx.server.store:database(db) then ctx:fail(404, 1228) end
end

local function check_col(ctx, db, col)
  if col == "*" or db == "*" then return end
  local d = ctx.server.store:database(db)
  if not d or not d:collection(col) then ctx:fail(404, 1203) end
end

-- The checks every permission endpoint starts with, in this order: who may ask (`admin_only`:
-- only an admin, else also the user itself), the user, the database and, for collection-level
-- endpoints, the collection named in the path. Returns the database and collection names.
local function permission_target(ctx, admin_only, with_collection)
  if admin_only then need_admin(ctx) else self_or_admin(ctx, ctx.params.user) end
  check_user(ctx)
  local db, col = ctx.params.db, ctx.params.collection
  check_db(ctx, db)
  if with_collection then check_col(ctx, db, col) end
  return db, col
end

local function grant_of(ctx)
  local body = object_body(ctx)
  local g = users_mod.parse_grant(body.grant)
  if not g then ctx:fail(400, 10, "invalid grant") end
  return g
end

local function set_db(ctx)
  local db = permission_target(ctx, true, false)
  local g = grant_of(ctx)
  ctx.server.users:set_database_level(ctx.params.user, db, g)
  return 200, { [db] = g, code = 200, error = false }
end

local function clear_db(ctx)
  local db = permission_target(ctx, true, false)
  ctx.server.users:set_database_level(ctx.params.user, db, nil)
  return 202, { error = false, code = 202 }
end

local function set_col(ctx)
  local db, col = permission_target(ctx, true, true)
  local g = grant_of(ctx)
  ctx.server.users:set_collection_level(ctx.params.user, db, col, g)
  return 200, { [db .. "/" .. col] = g, code = 200, error = false }
end

local function clear_col(ctx)
  local db, col = permission_target(ctx, true, true)
  ctx.server.users:set_collection_level(ctx.params.user, db, col, nil)
  return 202, { error = false, code = 202 }
end

local function collection_names(store, db)
  local out = {}
  for i, c in ipairs(store:database(db):collections()) do out[i] = c.name end
  return out
end

local function list_dbs(ctx)
  local name = ctx.params.user
  self_or_admin(ctx, name)
  local users = ctx.server.users
  check_user(ctx)
  local full = ctx.query.full == "true" or ctx.query.full == "1"
  local result = {}
  for _, db in ipairs(ctx.server.store:databases()) do
    local lvl = users:database_level(name, db)
    if full then
      local cols = {}
      for _, c in ipairs(collection_names(ctx.server.store, db)) do
        cols[c] = users:configured_collection_level(name, db, c) or "undefined"
      end
      cols["*"] = users:configured_collection_level(name, db, "*") or "undefined"
      result[db] = { permission = lvl, collections = cols }
    elseif lvl ~= "none" then
      result[db] = lvl
    end
  end
  if full then
    result["*"] = { permission = users:configured_database_level(name, "*") or "none" }
  end
  return 200, { error = false, code = 200, result = result }
end

local function get_db(ctx)
  local name = ctx.params.user
  local db = permission_target(ctx, false, false)
  local users = ctx.server.users
  local lvl
  if db == "*" then
    lvl = users:configured_database_level(name, "*") or "none"
  else
    lvl = users:database_level(name, db)
  end
  return 200, { error = false, code = 200, result = lvl }
end

local function get_col(ctx)
  local name = ctx.params.user
  local db, col = permission_target(ctx, false, true)
  return 200, { error = false, code = 200, result = ctx.server.users:collection_level(name, db, col) }
end

function M.register(router)
  router:add("POST", "/_api/user", create)
  router:add("GET", "/_api/user", list)
  router:add("GET", "/_api/user/:user", get)
  router:add("PUT", "/_api/user/:user", modify(false))
  router:add("PATCH", "/_api/user/:user", modify(true))
  router:add("DELETE", "/_api/user/:user", remove)
  router:add("GET", "/_api/user/:user/database", list_dbs)
  router:add("GET", "/_api/user/:user/database/:db", get_db)
  router:add("PUT", "/_api/user/:user/database/:db", set_db)
  router:add("DELETE", "/_api/user/:user/database/:db", clear_db)
  router:add("GET", "/_api/user/:user/database/:db/:collection", get_col)
  router:add("PUT", "/_api/user/:user/database/:db/:collection", set_col)
  router:add("DELETE", "/_api/user/:user/database/:db/:collection", clear_col)
end

return M
