--- Connections: one database, one set of credentials, over the client's hosts and transport.
--
-- `send(request)` picks a host with the resolver, adds the database prefix, serializes the body,
-- adds authentication, and returns an `arango.response`. Transport failures are raised as
-- `ArangoConnectionError` (a request that could not connect is tried on the next host).
--
-- Authentication methods: "basic" (username/password), "jwt" (log in via `/_open/auth`, refresh
-- before `exp`; coroutines that need a token while a refresh is running wait for that one
-- refresh), "bearer" (a token given by the caller) and "superuser" (an HS256 token made from the
-- server's JWT secret). Credentials are never put into errors or dumps.
-- @module arango.connection

local errors = require "arango.errors"
local request_mod = require "arango.request"
local response_mod = require "arango.response"
local crypto = require "arango.crypto"

local M = {}

local Connection = {}
Connection.__index = Connection
M.Connection = Connection

-- Refresh a JWT this many seconds before it expires (or at half its lifetime if shorter).
local DEFAULT_REFRESH_MARGIN = 60
local SUPERUSER_TOKEN_LIFETIME = 3600

--- Create a connection.
-- @tparam table t `{client, db_name, auth = {method, username, password, token, secret},
--   serializer, deserializer, request_timeout, decompress}`
-- @return the Connection
function M.new(t)
  return setmetatable({
    _client = t.client,
    _db_name = t.db_name,
    _auth = t.auth or { method = "none" },
    _serializer = t.serializer,
    _deserializer = t.deserializer,
    _request_timeout = t.request_timeout,
    _decompress = t.decompress,
    _refresh_margin = t.jwt_refresh_margin or DEFAULT_REFRESH_MARGIN,
    _jwt = { token = nil, refresh_at = nil, waiters = nil },
  }, Connection)
end

--- The database this connection talks to.
-- @treturn string
function Connection:db_name() return self._db_name end

--- The username (nil for token-only authentication).
-- @treturn ?string
function Connection:username() return self._auth.username end

--- The client this connection belongs to.
-- @return the client
function Connection:client() return self._client end

--- The deserializer in use.
-- @treturn function
function Connection:deserializer() return self._deserializer end

--- The serializer in use.
-- @treturn function
function Connection:serializer() return self._serializer end

local function in_yieldable_coroutine()
  local co, is_main = coroutine.running()
  if co == nil or is_main then return nil end
  if coroutine.isyieldable and not coroutine.isyieldable() then return nil end
  return co
end

-- Build, send and wrap one HTTP exchange. `auth_header` may be nil.
function Connection:_send_raw(req, auth_header)
  local body = req.raw_data
  if body == nil and req.data ~= nil then
    local ok, encoded = pcall(self._serializer, req.data)
    if not ok then
      errors.SerializationError:raise("cannot serialize request body: " .. tostring(encoded),
        { request = req:redacted() })
    end
    body = encoded
  end
  local headers = {}
  for k, v in pairs(req.headers) do headers[k] = v end
  if body ~= nil and headers["content-type"] == nil then headers["content-type"] = "application/json" end
  if auth_header then headers["authorization"] = auth_header end
  local path = req:path(self._db_name)
  local client = self._client
  local transport = client:_transport()
  local hosts = client._hosts
  local last_err
  -- A request pinned to a host (cursor batches live on the server that made the cursor)
  -- is tried there only.
  local attempts = req.host and 1 or #hosts
  for _ = 1, attempts do
    local host = req.host or hosts[client._resolver:index()]
    local raw, err = transport:request{
      url = host,
      method = req.method,
      path = path,
      headers = headers,
      body = body,
      timeout = self._request_timeout,
      decompress = self._decompress,
    }
    if raw then
      return response_mod.new(raw, {
        method = req.method, url = host .. path, host = host, request = req,
        deserializer = self._deserializer,
      })
    end
    err = type(err) == "table" and err or { kind = "protocol", message = tostring(err) }
    err.url = host .. path
    last_err = err
    -- Only failures that guarantee the server never saw the request move on to another host.
    if err.kind ~= "connect" and err.kind ~= "dns" then break end
  end
  error(errors.from_transport(last_err, req), 0)
end

-- Log in and return the token (raises JWTAuthError).
function Connection:_jwt_login()
  local auth = self._auth
  local req = request_mod.new{
    method = "POST", endpoint = "/_open/auth", prefix_needed = false, sensitive = true,
    data = { username = auth.username or "", password = auth.password or "" },
  }
  local resp = self:_send_raw(req, nil)
  local token = resp.is_success and type(resp.body) == "table" and resp.body.jwt
  if type(token) ~= "string" then errors.JWTAuthError:raise_from(resp) end
  return token
end

-- Keep a fresh JWT and plan its refresh.
function Connection:_store_token(token)
  self._jwt.token = token
  self:_schedule_refresh(token)
end

function Connection:_schedule_refresh(token)
  local claims = crypto.jwt_payload(token, self._deserializer)
  local exp = claims and tonumber(claims.exp)
  if not exp then
    self._jwt.refresh_at = nil
    return
  end
  local now = os.time()
  local margin = math.min(self._refresh_margin, math.max(0, (exp - now) / 2))
  self._jwt.refresh_at = exp - margin
end

-- Return a valid JWT, logging in when there is none or it is about to expire.
-- Concurrent callers in coroutines wait for the one refresh in flight.
function Connection:_jwt_token(force)
  local st = self._jwt
  if not force and st.token and (not st.refresh_at or os.time() < st.refresh_at) then
    return st.token
  end
  if st.waiters then
    local co = in_yieldable_coroutine()
    if co then
      local waiters = st.waiters
      waiters[#waiters + 1] = co
      local ok, result = coroutine.yield()
      if not ok then error(result, 0) end
      return result
    end
    -- The main thread cannot wait for a coroutine: it logs in on its own.
    local token = self:_jwt_login()
    self:_store_token(token)
    return token
  end
  st.waiters = {}
  local ok, token = pcall(self._jwt_login, self)
  local waiters = st.waiters
  st.waiters = nil
  if ok then self:_store_token(token) end
  for _, co in ipairs(waiters) do
    local rok, rerr = coroutine.resume(co, ok, token)
    if not rok then io.stderr:write("arango: coroutine failed after JWT refresh: ", tostring(rerr), "\n") end
  end
  if not ok then error(token, 0) end
  return token
end

function Connection:_superuser_token()
  local st = self._jwt
  if st.token and st.refresh_at and os.time() < st.refresh_at then return st.token end
  local now = os.time()
  local token = crypto.jwt_hs256(self._auth.secret, {
    iss = "arangodb", server_id = "lua-arango", iat = now, exp = now + SUPERUSER_TOKEN_LIFETIME,
  }, self._serializer)
  st.token = token
  st.refresh_at = now + SUPERUSER_TOKEN_LIFETIME - self._refresh_margin
  return token
end

-- The Authorization header value for the next request (nil: send none).
function Connection:_auth_header(force_refresh)
  local auth = self._auth
  local method = auth.method
  if method == "basic" then
    if not self._basic then
      self._basic = "Basic " .. crypto.base64_encode((auth.username or "") .. ":" .. (auth.password or ""))
    end
    return self._basic
  elseif method == "jwt" then
    return "bearer " .. self:_jwt_token(force_refresh)
  elseif method == "bearer" then
    return "bearer " .. auth.token
  elseif method == "superuser" then
    return "bearer " .. self:_superuser_token()
  end
  return nil
end

--- Send a request description and return the response (never raises for HTTP errors).
-- Raises `ArangoConnectionError` on transport failures and `JWTAuthError` when a JWT login fails.
-- @param req an `arango.request` description
-- @return an `arango.response`
function Connection:send(req)
  local resp = self:_send_raw(req, self:_auth_header(false))
  if resp.status_code == 401 and self._auth.method == "jwt" then
    -- The token may have been revoked or the server restarted: log in again once.
    resp = self:_send_raw(req, self:_auth_header(true))
  end
  return resp
end

--- Replace the JWT used by a "jwt" or "bearer" connection (e.g. one obtained elsewhere).
-- @tparam string token
function Connection:set_token(token)
  if type(token) ~= "string" or token == "" then
    errors.ArangoOptionError:raise("set_token: token must be a non-empty string")
  end
  if self._auth.method == "bearer" then self._auth.token = token end
  self:_store_token(token)
end

return M
