-- Authentication endpoints: POST /_open/auth (JWT from user name and password or an access
-- token) and the access tokens of /_api/token/{user}.
local json = require "arango.json"
local user_api = require "arango.devserver.api.user"

local M = {}

local function open_auth(ctx)
  local body = ctx:json()
  if type(body) ~= "table" or json.is_array(body) then ctx:fail(400, 10, "invalid JSON") end
  local username, password = body.username, body.password
  if username == nil then username = "" end
  if type(username) ~= "string" or type(password) ~= "string" then
    ctx:fail(400, 10, "invalid JSON")
  end
  local users = ctx.server.users
  if not users:check_password(username, password) then
    ctx:fail(401, 401, "Wrong credentials")
  end
  return 200, { jwt = ctx.server.auth:issue_token(username) }
end

local function self_or_admin(ctx) return user_api.self_or_admin(ctx, ctx.params.user) end

local function create_token(ctx)
  local name = self_or_admin(ctx)
  local body = ctx:json()
  if type(body) ~= "table" or json.is_array(body) then ctx:fail(400, 10, "expecting a JSON object") end
  if type(body.name) ~= "string" or body.name == "" then
    ctx:fail(400, 10, "name must be a non-empty string")
  end
  if math.type(body.valid_until) ~= "integer" then ctx:fail(400, 10, "valid_until must be an integer") end
  if body.valid_until <= os.time() then ctx:fail(400, 10, "valid_until must be in the future") end
  return 200, ctx.server.users:create_access_token(name, body.name, body.valid_until)
end

local function list_tokens(ctx)
  local name = self_or_admin(ctx)
  return 200, { tokens = json.array(ctx.server.users:access_tokens(name)) }
end

local function delete_token(ctx)
  local name = self_or_admin(ctx)
  ctx.server.users:delete_access_token(name, ctx.params.id)
  return 200, nil
end

function M.register(router)
  router:add("POST", "/_open/auth", open_auth, { open = true })
  router:add("POST", "/_api/token/:user", create_token)
  router:add("GET", "/_api/token/:user", list_tokens)
  router:add("DELETE", "/_api/token/:user/:id", delete_token)
end

return M
