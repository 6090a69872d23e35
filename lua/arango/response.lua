--- Responses as the response handlers see them.
-- Fields: `method`, `url`, `headers` (lower-case names), `status_code`, `status_text`, `raw_body`,
-- `body` (deserialized when JSON, else the raw string), `is_success` (2xx), `error_code` and
-- `error_message` (from ArangoDB's error body), `host` (the server that answered) and `request`
-- (the request it answers).
-- @module arango.response

local M = {}

local Response = {}
Response.__index = Response
M.Response = Response

--- Build a response from the transport's result.
-- @tparam table raw `{status, reason, headers, body}` from the transport
-- @tparam table t `{method, url, request, deserializer}`
-- @return the Response
function M.new(raw, t)
  local headers = {}
  for k, v in pairs(raw.headers or {}) do headers[tostring(k):lower()] = v end
  local self = setmetatable({
    method = t.method,
    url = t.url,
    host = t.host,
    request = t.request,
    headers = headers,
    status_code = raw.status,
    status_text = raw.reason or "",
    raw_body = raw.body or "",
  }, Response)
  self.is_success = type(raw.status) == "number" and raw.status >= 200 and raw.status < 300
  local body = self.raw_body
  local ctype = headers["content-type"] or ""
  local want = not t.request or t.request.deserialize
  if want and body ~= "" and (ctype:find("json", 1, true) or body:match("^%s*[%[{]")) then
    local ok, decoded = pcall(t.deserializer, body)
    if ok then self.body = decoded else self.body = body end
  else
    self.body = body
  end
  if type(self.body) == "table" and not self.is_success then
    local num = rawget(self.body, "errorNum")
    if type(num) == "number" then self.error_code = num end
    local msg = rawget(self.body, "errorMessage")
    if type(msg) == "string" then self.error_message = msg end
  end
  if not self.is_success and not self.error_message then
    self.error_message = self.status_text ~= "" and self.status_text or ("HTTP " .. tostring(raw.status))
  end
  return self
end

--- One-line dump.
-- @treturn string
function Response:__tostring()
  return "Response(" .. tostring(self.method) .. " " .. tostring(self.url) .. " -> "
    .. tostring(self.status_code) .. ")"
end

return M
