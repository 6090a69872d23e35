-- Database endpoints: GET /_api/database (all), /user (accessible), /current; POST (create,
-- with initial users); DELETE /_api/database/{name}. Creating, listing all and dropping are
-- only allowed from _system (403/1230) and need rw on _system, as in ArangoDB.
local SUPERUSER = require("arango.devserver.auth").SUPERUSER
local json = require "arango.json"
local store_mod = require "arango.devserver.store"

local M = {}

-- A name a client may create: the store's rule (traditional naming), without the `_` prefix
-- that only _system has (so "_system" itself is 400/1229 here, not 409/1207).
local function creatable_name(name)
  return store_mod.valid_database_name(name) and name:sub(1, 1) ~= "_"
end

local function only_system(ctx)
  if ctx.db_name ~= "_system" then ctx:fail(403, 1230) end
end

local function list_all(ctx)
  only_system(ctx)
  if not ctx:is_admin() then ctx:fail(403, 11) end
  return 200, { error = false, code = 200, result = json.array(ctx.server.store:databases()) }
end

local function list_user(ctx)
  local auth = ctx.server.auth
  local out = {}
  for _, n in ipairs(ctx.server.store:databases()) do
    if not auth.enabled or auth:database_level(ctx.user, n) ~= "none" then out[#out + 1] = n end
  end
  return 200, { error = false, code = 200, result = json.array(out) }
end

local function current(ctx)
  return 200, { error = false, code = 200, result = ctx.db:info() }
end

local function create(ctx)
  only_system(ctx)
  if not ctx:is_admin() then ctx:fail(403, 11) end
  local body = ctx:json()
  if type(body) ~= "table" or json.is_array(body) then ctx:fail(400, 10, "expecting a JSON object") end
  local name = body.name
  if not creatable_name(name) then ctx:fail(400, 1229) end
  local users_list = body.users
  if users_list ~= nil
    and (type(users_list) ~= "table" or (next(users_list) ~= nil and not users_list[1])) then
    ctx:fail(400, 10, "users must be an array")
  end
  if users_list then
    for _, u in ipairs(users_list) do
      if type(u) ~= "table" or type(u.username or u.user) ~= "string" then
        ctx:fail(400, 10, "user name must be a string")
      end
    end
  end
  local store = ctx.server.store
  if store:database(name) then ctx:fail(409, 1207) end
  local opts = type(body.options) == "table" and body.options or {}
  store:create_database(name, opts)
  local users = ctx.server.users
  -- a database's initial users get rw on it (created when they do not exist yet)
  for _, u in ipairs(users_list or {}) do
    local uname = u.username or u.user
    if not users:get(uname) then
      users:create(uname, { passwd = u.passwd or "", active = u.active, extra = u.extra })
    end
    users:set_database_level(uname, name, "rw")
  end
  -- so that its creator can use the new database right away
  if ctx.user and ctx.user ~= SUPERUSER and ctx.server.auth.enabled
      and users:database_level(ctx.user, name) == "none" then
    users:set_database_level(ctx.user, name, "rw")
  end
  ctx.server.log:add("INFO", "general", "created database '" .. name .. "'")
  return 201, { error = false, code = 201, result = true }
end

local function drop(ctx)
  only_system(ctx)
  if not ctx:is_admin() then ctx:fail(403, 11) end
  local name = ctx.params.name
  ctx.server.store:drop_database(name) -- 403/11 for _system, 404/1228 when missing
  ctx.server.users:forget(name)
  ctx.server.log:add("INFO", "general", "dropped database '" .. name .. "'")
  return 200, { error = false, code = 200, result = true }
end

function M.register(router)
  router:add("GET", "/_api/database", list_all)
  router:add("GET", "/_api/database/user", list_user)
  router:add("GET", "/_api/database/current", current)
  router:add("POST", "/_api/database", create)
  router:add("DELETE", "/_api/database/:name", drop)
end

return M
