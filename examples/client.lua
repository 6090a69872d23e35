-- Client setup: several hosts and a host resolver, authentication (Basic, JWT, a given token),
-- checking credentials up front, another JSON codec, and a custom HTTP client.
--   ARANGO_URL (default http://127.0.0.1:8529), ARANGO_USER (root), ARANGO_PASSWORD ("")
local arango = require "arango"

local url = os.getenv("ARANGO_URL") or "http://127.0.0.1:8529"
local username = os.getenv("ARANGO_USER") or "root"
local password = os.getenv("ARANGO_PASSWORD") or ""

-- Hosts: one URL, a list, or a comma-separated string. Requests are spread over them by the
-- host resolver ("roundrobin", the default, or "random"); a host that refuses the connection
-- is skipped.
local client = arango.client{ hosts = url .. "," .. url, host_resolver = "roundrobin" }
print("hosts: " .. #client:hosts())

-- Basic authentication, checked at once with verify = true (a wrong password raises here).
local db = client:db("_system", { username = username, password = password, verify = true })
print("basic auth as " .. db:username() .. ": ok")

local ok, err = pcall(client.db, client, "_system",
  { username = username, password = password .. "-not-it", verify = true })
print("wrong password: " .. (ok and "accepted?!" or err:class_name() .. " " .. tostring(err.http_code)))

-- JWT authentication: the driver logs in via /_open/auth, keeps the token and refreshes it
-- before it expires (coroutines waiting for a token share one refresh).
local jwt_db = client:db("_system", { username = username, password = password, auth_method = "jwt" })
print("jwt auth: version " .. jwt_db:version())

-- A token obtained elsewhere (here: a login through the raw request escape hatch; `sensitive`
-- keeps the password out of any error) is sent as is.
local login = db:request{ method = "POST", endpoint = "/_open/auth", prefix_needed = false,
  data = { username = username, password = password }, sensitive = true }
local token = login.body.jwt
local token_db = client:db("_system", { token = token })
print("token auth: database " .. token_db:properties().name)

-- Another codec: any pair of functions. cjson is an option when installed (note that
-- Debian's lua-cjson 2.1.0 rounds large integers; the default codec keeps them exact).
local has_cjson, cjson = pcall(require, "cjson")
if has_cjson then
  local cjson_client = arango.client{ hosts = url, serializer = cjson.encode, deserializer = cjson.decode }
  local echo = cjson_client:db("_system", { username = username, password = password }):echo{ via = "cjson" }
  print("cjson echo: " .. echo.requestBody)
  cjson_client:close()
end

-- A custom HTTP client: any object with request(self, req) answering like arango.core. This one
-- counts the requests and hands them to the default engine.
local core = require "arango.core"
local counting = { engine = core.http{}, count = 0 }
function counting:request(req)
  self.count = self.count + 1
  return self.engine:request(req)
end
local hooked = arango.client{ hosts = url, http_client = counting }
local hdb = hooked:db("_system", { username = username, password = password })
hdb:version()
hdb:time()
print("custom http client requests: " .. counting.count)
counting.engine:close()

client:close()
