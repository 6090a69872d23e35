--- The client: hosts, transport and codec shared by every database handle.
--
--     local arango = require "arango"
--     local client = arango.client{ hosts = "http://127.0.0.1:8529" }
--     local db = client:db("_system", { username = "root", password = "" })
--
-- @module arango.client

local connection_mod = require "arango.connection"
local executor_mod = require "arango.executor"
local resolver_mod = require "arango.resolver"
local serializer = require "arango.serializer"
local errors = require "arango.errors"

local M = {}

local Client = {}
Client.__index = Client
M.Client = Client

local CLIENT_OPTIONS = {
  hosts = true, host_resolver = true, serializer = true, deserializer = true, http_client = true,
  max_connections = true, pool_size = true, connect_timeout = true, request_timeout = true,
  idle_timeout = true, decompress = true, tls = true,
}

local function option_error(msg)
  errors.ArangoOptionError:raise(msg)
end

local function parse_host(h)
  if type(h) ~= "string" then option_error("hosts must be strings (got " .. type(h) .. ")") end
  h = h:match("^%s*(.-)%s*$")
  local scheme, rest = h:match("^(https?)://(.+)$")
  if not scheme then option_error("host must look like http://host:port (got '" .. h .. "')") end
  rest = rest:gsub("/+$", "")
  if rest:find("@", 1, true) then
    option_error("credentials in host URLs are not supported; pass username/password to client:db")
  end
  if rest:find("/", 1, true) then option_error("host URL must not have a path (got '" .. h .. "')") end
  if rest == "" then option_error("host URL has no host name (got '" .. h .. "')") end
  return scheme .. "://" .. rest
end

local function parse_hosts(hosts)
  hosts = hosts or "http://127.0.0.1:8529"
  local list = {}
  if type(hosts) == "string" then
    for part in hosts:gmatch("[^,]+") do list[#list + 1] = parse_host(part) end
  elseif type(hosts) == "table" then
    for _, h in ipairs(hosts) do list[#list + 1] = parse_host(h) end
  else
    option_error("hosts must be a string, a comma-separated string or a list")
  end
  if #list == 0 then option_error("hosts is empty") end
  return list
end

--- Create a client.
-- @tparam[opt] table opts
--   `hosts` (string, "h1,h2" string or list; default http://127.0.0.1:8529),
--   `host_resolver` ("roundrobin" (default), "random" or an object with `index()`),
--   `serializer` / `deserializer` (functions; default `arango.json`),
--   `http_client` (any object with `request(self, req)` returning `res, err` like `arango.core`),
--   `max_connections` (alias `pool_size`; per host, default 8), `connect_timeout` (s),
--   `request_timeout` (s), `idle_timeout` (s), `decompress` (ask for gzip responses),
--   `tls` (for https:// hosts: `{verify = true, ca_file =, ca_path =, cert_file =, key_file =,
--   server_name =}`, see `arango.core`).
-- @return the Client
function M.new(opts)
  opts = opts or {}
  if type(opts) ~= "table" then option_error("client options must be a table") end
  for k in pairs(opts) do
    if not CLIENT_OPTIONS[k] then option_error("unknown client option '" .. tostring(k) .. "'") end
  end
  for _, k in ipairs{ "serializer", "deserializer" } do
    if opts[k] ~= nil and type(opts[k]) ~= "function" then option_error(k .. " must be a function") end
  end
  local hosts = parse_hosts(opts.hosts)
  local self = setmetatable({
    _hosts = hosts,
    _resolver = resolver_mod.make(opts.host_resolver, #hosts),
    _serializer = opts.serializer or serializer.encode,
    _deserializer = opts.deserializer or serializer.decode,
    _http = opts.http_client,
    _own_http = opts.http_client == nil,
    _opts = opts,
  }, Client)
  if self._http ~= nil and (type(self._http) ~= "table" and type(self._http) ~= "userdata") then
    option_error("http_client must be an object with a request method")
  end
  return self
end

-- The transport, created on first use so that building a client never touches the network.
function Client:_transport()
  if not self._http then
    local core = require "arango.core"
    local o = self._opts
    self._http = core.http{
      max_connections = o.max_connections or o.pool_size or 8,
      connect_timeout = o.connect_timeout,
      idle_timeout = o.idle_timeout,
      tls = o.tls,
    }
  end
  return self._http
end

--- The host URLs of this client.
-- @treturn {string,...}
function Client:hosts()
  local out = {}
  for i, h in ipairs(self._hosts) do out[i] = h end
  return out
end

local DB_OPTIONS = {
  username = true, password = true, auth_method = true, token = true, user_token = true,
  jwt_secret = true, superuser_token = true, verify = true, jwt_refresh_margin = true,
}

--- A handle on a database.
-- @tparam[opt="_system"] string name database name
-- @tparam[opt] table opts `username` (default "root"), `password` (default ""),
--   `auth_method` ("basic" (default), "jwt", "superuser"), `token`/`user_token` (a JWT to send as
--   bearer token), `jwt_secret` (make superuser tokens from the server's secret),
--   `superuser_token` (a ready superuser JWT), `verify` (check credentials now: raises
--   `ServerConnectionError`), `jwt_refresh_margin` (seconds before `exp` to refresh).
-- @return an `arango.database` Database
function Client:db(name, opts)
  name = name or "_system"
  if type(name) ~= "string" or name == "" then option_error("database name must be a non-empty string") end
  opts = opts or {}
  if type(opts) ~= "table" then option_error("db options must be a table") end
  for k in pairs(opts) do
    if not DB_OPTIONS[k] then option_error("unknown db option '" .. tostring(k) .. "'") end
  end
  local auth
  local token = opts.superuser_token or opts.token or opts.user_token
  if opts.jwt_secret ~= nil then
    if type(opts.jwt_secret) ~= "string" or opts.jwt_secret == "" then
      errors.JWTSecretError:raise("jwt_secret must be a non-empty string")
    end
    auth = { method = "superuser", secret = opts.jwt_secret }
  elseif token ~= nil then
    if type(token) ~= "string" or token == "" then option_error("token must be a non-empty string") end
    auth = { method = "bearer", token = token }
  else
    local method = opts.auth_method or "basic"
    if method ~= "basic" and method ~= "jwt" then
      option_error("auth_method must be \"basic\" or \"jwt\" (or give token / jwt_secret), got "
        .. tostring(method))
    end
    local username = opts.username or "root"
    local password = opts.password or ""
    if type(username) ~= "string" then option_error("username must be a string") end
    if type(password) ~= "string" then option_error("password must be a string") end
    auth = { method = method, username = username, password = password }
  end
  local conn = connection_mod.new{
    client = self, db_name = name, auth = auth,
    serializer = self._serializer, deserializer = self._deserializer,
    request_timeout = self._opts.request_timeout, decompress = self._opts.decompress,
    jwt_refresh_margin = opts.jwt_refresh_margin,
  }
  local Database = require("arango.database").Database
  local db = Database.new(conn, executor_mod.DefaultExecutor.new(conn))
  if opts.verify then db:_verify() end
  return db
end

--- Close the transport's pooled connections (only a transport this client created).
function Client:close()
  if self._http and self._own_http and self._http.close then
    self._http:close()
    self._http = nil
  end
end

return M
