--- Request descriptions.
--
-- API methods never talk to the transport: they build one `Request` and hand it to their
-- executor together with a response handler. The connection turns the description into an HTTP
-- request (database prefix, query string, serialization, authentication).
-- @module arango.request

local M = {}

local Request = {}
Request.__index = Request
M.Request = Request

local METHODS = { GET = true, HEAD = true, POST = true, PUT = true, PATCH = true, DELETE = true,
  OPTIONS = true }
-- Methods whose requests are repeatable unless the API method says otherwise.
local REPEATABLE_METHODS = { GET = true, HEAD = true, OPTIONS = true, PUT = true, DELETE = true }

--- Percent-encode a path segment or query component (everything but RFC 3986 unreserved).
-- @tparam string s
-- @treturn string
function M.escape(s)
  s = tostring(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", c:byte()) end))
end

local function sorted_keys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  return keys
end

local function param_text(v)
  local tv = type(v)
  if tv == "boolean" then return v and "true" or "false" end
  if tv == "number" then
    if v == math.floor(v) and v > -1e15 and v < 1e15 then return string.format("%d", v) end
    return tostring(v)
  end
  if tv == "string" then return v end
  error("query parameter value must be a string, number or boolean (got " .. tv .. ")", 3)
end

--- Encode a params table as a query string (keys sorted; list values repeat the key).
-- @tparam table params
-- @treturn string the query string without `?` ("" when empty)
function M.encode_params(params)
  if not params then return "" end
  local out = {}
  for _, k in ipairs(sorted_keys(params)) do
    local v = params[k]
    if type(v) == "table" then
      for _, item in ipairs(v) do out[#out + 1] = M.escape(k) .. "=" .. M.escape(param_text(item)) end
    elseif v ~= nil then
      out[#out + 1] = M.escape(k) .. "=" .. M.escape(param_text(v))
    end
  end
  return table.concat(out, "&")
end

--- Create a request description.
-- @tparam table t fields: `method` (GET, POST, ...), `endpoint` (path after the database prefix,
--   starting with `/`), `params` (query parameters), `headers`, `data` (body as a Lua value,
--   serialized by the connection), `raw_data` (a body string sent as is),
--   `prefix_needed` (default true: prefix `/_db/<name>`), `deserialize` (default true),
--   `sensitive` (the body holds a secret: never shown in dumps or errors), `host` (send to this
--   host only, e.g. a cursor's follow-up requests), `idempotent` (whether sending it twice has
--   the effect of sending it once; see below), `timeout` (this call's deadline in seconds, `false`
--   for none, nil for the client's default) and `retry` (this call's retry policy overrides).
--
-- Idempotency decides what may be repeated when the fate of a request is unknown (the socket
-- died after it was written). The default follows the method: GET, HEAD, OPTIONS, PUT and
-- DELETE are repeatable, POST and PATCH are not. API methods set it explicitly where the path
-- says otherwise: a cursor fetch by batch id or a read-only POST (explain, parse) is repeatable;
-- a `PUT /_api/cursor/<id>` without batch id or a transaction commit is not.
-- @return the Request
function M.new(t)
  if type(t) ~= "table" then error("request description must be a table", 2) end
  local method = type(t.method) == "string" and t.method:upper() or nil
  if not method or not METHODS[method] then
    error("request method must be one of GET HEAD POST PUT PATCH DELETE OPTIONS (got "
      .. tostring(t.method) .. ")", 2)
  end
  if type(t.endpoint) ~= "string" or t.endpoint:sub(1, 1) ~= "/" then
    error("request endpoint must be a string starting with '/' (got " .. tostring(t.endpoint) .. ")", 2)
  end
  if t.params ~= nil and type(t.params) ~= "table" then error("request params must be a table", 2) end
  if t.headers ~= nil and type(t.headers) ~= "table" then error("request headers must be a table", 2) end
  if t.raw_data ~= nil and type(t.raw_data) ~= "string" then error("request raw_data must be a string", 2) end
  if t.host ~= nil and type(t.host) ~= "string" then error("request host must be a string", 2) end
  if t.idempotent ~= nil and type(t.idempotent) ~= "boolean" then
    error("request idempotent must be a boolean", 2)
  end
  if t.timeout ~= nil and t.timeout ~= false and (type(t.timeout) ~= "number" or t.timeout <= 0) then
    error("request timeout must be a positive number or false", 2)
  end
  if t.retry ~= nil and type(t.retry) ~= "table" then error("request retry must be a table", 2) end
  local idempotent = t.idempotent
  if idempotent == nil then idempotent = REPEATABLE_METHODS[method] == true end
  local headers = {}
  for k, v in pairs(t.headers or {}) do headers[tostring(k):lower()] = tostring(v) end
  return setmetatable({
    method = method,
    endpoint = t.endpoint,
    params = t.params or {},
    headers = headers,
    data = t.data,
    raw_data = t.raw_data,
    prefix_needed = t.prefix_needed ~= false,
    deserialize = t.deserialize ~= false,
    sensitive = t.sensitive == true,
    host = t.host,
    idempotent = idempotent,
    timeout = t.timeout,
    retry = t.retry,
  }, Request)
end

--- The HTTP path for this request, including the database prefix and query string.
-- @tparam string db_name the database the connection talks to
-- @treturn string
function Request:path(db_name)
  local path = self.endpoint
  if self.prefix_needed and db_name then path = "/_db/" .. M.escape(db_name) .. path end
  local qs = M.encode_params(self.params)
  if qs ~= "" then path = path .. "?" .. qs end
  return path
end

local REDACTED_HEADERS = { authorization = true, ["proxy-authorization"] = true, cookie = true }

--- A copy that is safe to keep in errors and to print: no Authorization header, no secret body.
-- @return a new Request
function Request:redacted()
  local headers = {}
  for k, v in pairs(self.headers) do
    headers[k] = REDACTED_HEADERS[k] and "<redacted>" or v
  end
  local copy = {}
  for k, v in pairs(self) do copy[k] = v end
  copy.headers = headers
  if self.sensitive then
    copy.data = self.data ~= nil and "<redacted>" or nil
    copy.raw_data = self.raw_data ~= nil and "<redacted>" or nil
  end
  return setmetatable(copy, Request)
end

--- A one-line dump (method, endpoint, query) with nothing secret in it.
-- @treturn string
function Request:__tostring()
  local qs = M.encode_params(self.params)
  return "Request(" .. self.method .. " " .. self.endpoint .. (qs ~= "" and ("?" .. qs) or "") .. ")"
end

return M
