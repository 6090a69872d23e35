-- luacheck: no max line length
-- Spec support: runs bin/arango-devserver as a subprocess and talks HTTP to it with a tiny
-- blocking client on luv TCP (it runs the loop until the answer is there, with a deadline).
--
--   local ds = require "spec.support.devserver"
--   local srv = ds.start{ auth = true, root_password = "pw", data_dir = dir }
--   local res = ds.request(srv.url, "GET", "/_api/version", { auth = { "root", "pw" } })
--   srv.stop()
local uv = require "luv"

local M = {}

local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "spec/support"
M.root = here .. "/../.."
M.bin = M.root .. "/bin/arango-devserver"

local DEFAULT_TIMEOUT = 20

-- Runs the loop until `done()` is true or `timeout` seconds passed; returns done().
function M.wait(done, timeout)
  uv.update_time() -- the loop's clock is stale when the loop has not run for a while
  local deadline = uv.now() + (timeout or DEFAULT_TIMEOUT) * 1000
  local timer = uv.new_timer()
  timer:start(50, 50, function() end) -- keeps run("once") from blocking forever
  while not done() and uv.now() < deadline do
    uv.run("once")
    uv.update_time()
  end
  timer:stop()
  timer:close()
  return done()
end

--- ARANGO_URL when set (specs then use that server instead of starting one).
function M.url_from_env()
  local u = os.getenv("ARANGO_URL")
  if u and u ~= "" then return u end
  return nil
end

--- Starts bin/arango-devserver on a free port. opts: auth (default true), root_password,
-- data_dir, max_body_size, jwt_secret, args (extra arguments).
-- @return { url, pid, stop(), kill9(), stderr() }
function M.start(opts)
  opts = opts or {}
  local args = { M.bin, "--port", "0" }
  if opts.auth == false then args[#args + 1] = "--no-auth" end
  if opts.root_password then
    args[#args + 1] = "--root-password"
    args[#args + 1] = opts.root_password
  end
  if opts.data_dir then
    args[#args + 1] = "--data-dir"
    args[#args + 1] = opts.data_dir
  end
  if opts.max_body_size then
    args[#args + 1] = "--max-body-size"
    args[#args + 1] = tostring(opts.max_body_size)
  end
  if opts.jwt_secret then
    args[#args + 1] = "--jwt-secret"
    args[#args + 1] = opts.jwt_secret
  end
  for _, a in ipairs(opts.args or {}) do args[#args + 1] = a end

  local stdout, stderr = uv.new_pipe(false), uv.new_pipe(false)
  local out, err = {}, {}
  local exited, exit_code = false, nil
  local handle, pid
  handle, pid = uv.spawn("lua5.4", { args = args, stdio = { nil, stdout, stderr } },
    function(code)
      exited, exit_code = true, code
    end)
  if not handle then
    stdout:close(); stderr:close()
    error("cannot spawn the devserver: " .. tostring(pid))
  end
  stdout:read_start(function(_, data) if data then out[#out + 1] = data end end)
  stderr:read_start(function(_, data) if data then err[#err + 1] = data end end)
  local function first_line() return table.concat(out):match("^([^\n]*)\n") end
  M.wait(function() return first_line() ~= nil or exited end, opts.timeout or DEFAULT_TIMEOUT)
  local url = first_line()
  local srv = { pid = pid, url = url }
  local function cleanup()
    for _, p in ipairs({ stdout, stderr }) do
      if not p:is_closing() then p:read_stop(); p:close() end
    end
    if not handle:is_closing() then handle:close() end
    -- let the close callbacks run now: luv crashes at exit on handles still closing
    uv.run("nowait")
  end
  function srv.stderr() return table.concat(err) end
  function srv.exited() return exited, exit_code end
  local function stop_with(sig)
    if not exited then
      uv.process_kill(handle, sig)
      M.wait(function() return exited end, 10)
    end
    cleanup()
    return exit_code
  end
  function srv.stop() return stop_with("sigterm") end
  function srv.kill9() return stop_with("sigkill") end
  if not url or not url:match("^http://") then
    stop_with("sigkill")
    error("devserver did not print its URL; stderr: " .. table.concat(err))
  end
  return srv
end

-- HTTP client ----------------------------------------------------------------------------

local function parse_url(url)
  local host, port = url:match("^http://([^:/]+):(%d+)")
  assert(host, "bad url " .. tostring(url))
  return host, tonumber(port)
end

local function b64(s)
  local alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
  return (s:gsub("..?.?", function(c)
    local a, b, d = c:byte(1, 3)
    local v = (a << 16) | ((b or 0) << 8) | (d or 0)
    local r = {}
    for i = 3, 0, -1 do r[#r + 1] = alpha:sub(((v >> (6 * i)) & 63) + 1, ((v >> (6 * i)) & 63) + 1) end
    if not b then r[3], r[4] = "=", "=" elseif not d then r[4] = "=" end
    return table.concat(r)
  end))
end
M.base64 = b64

local Conn = {}
Conn.__index = Conn

--- Opens a TCP connection to the server of `url`.
function M.connect(url)
  local host, port = parse_url(url)
  local tcp = uv.new_tcp()
  local c = setmetatable({ tcp = tcp, buf = "", closed = false, connected = false }, Conn)
  local cerr
  tcp:connect(host, port, function(e)
    if e then cerr = e; c.closed = true return end
    c.connected = true
    tcp:read_start(function(rerr, data)
      if rerr or not data then
        c.closed = true
        return
      end
      c.buf = c.buf .. data
    end)
  end)
  M.wait(function() return c.connected or c.closed end, 5)
  if not c.connected then
    if not tcp:is_closing() then tcp:close() end
    error("cannot connect to " .. url .. ": " .. tostring(cerr))
  end
  return c
end

--- Sends raw bytes.
function Conn:send(bytes)
  if not self.closed then self.tcp:write(bytes) end
end

-- Parses one response from the buffer; nil when incomplete.
local function take_response(self, head)
  local buf = self.buf
  local he = buf:find("\r\n\r\n", 1, true)
  if not he then return nil end
  local status, reason = buf:match("^HTTP/1%.%d (%d%d%d) ?([^\r\n]*)\r\n")
  if not status then error("bad response: " .. buf:sub(1, 200)) end
  local headers = {}
  for line in buf:sub(1, he + 1):gmatch("([^\r\n]+)\r\n") do
    local k, v = line:match("^([^:]+):%s*(.*)$")
    if k then
      k = k:lower()
      headers[k] = headers[k] and (headers[k] .. ", " .. v) or v
    end
  end
  local len = tonumber(headers["content-length"] or "0")
  if head or tonumber(status) == 100 or tonumber(status) == 204 or tonumber(status) == 304 then len = 0 end
  if #buf < he + 3 + len then return nil end
  self.buf = buf:sub(he + 4 + len)
  return { status = tonumber(status), reason = reason, headers = headers, body = buf:sub(he + 4, he + 3 + len) }
end

--- Reads the next response (head: it answers a HEAD request). nil, "closed"/"timeout" when none.
function Conn:read(head, timeout)
  local res
  M.wait(function()
    res = res or take_response(self, head)
    return res ~= nil or self.closed
  end, timeout)
  res = res or take_response(self, head)
  if res then return res end
  return nil, self.closed and "closed" or "timeout"
end

--- Waits until the server closes the connection; true when it did.
function Conn:wait_closed(timeout)
  return M.wait(function() return self.closed end, timeout or 5)
end

function Conn:close()
  self.closed = true
  if not self.tcp:is_closing() then self.tcp:close() end
  uv.run("nowait")
end

--- Renders a request. opts: headers (map), body (string or table -> JSON via arango.json),
-- auth ({user, password} for Basic), token (JWT for Bearer).
function M.render(method, path, opts)
  opts = opts or {}
  local body = opts.body
  if type(body) == "table" then body = require("arango.json").encode(body) end
  local lines = { method .. " " .. path .. " HTTP/1.1", "host: 127.0.0.1" }
  local headers = opts.headers or {}
  for k, v in pairs(headers) do lines[#lines + 1] = k .. ": " .. v end
  if opts.auth then
    lines[#lines + 1] = "authorization: Basic " .. b64(opts.auth[1] .. ":" .. (opts.auth[2] or ""))
  elseif opts.token then
    lines[#lines + 1] = "authorization: bearer " .. opts.token
  end
  if body then lines[#lines + 1] = "content-length: " .. #body end
  return table.concat(lines, "\r\n") .. "\r\n\r\n" .. (body or "")
end

--- One request on a fresh connection; returns the response with `json` (decoded body, when
-- JSON) or raises on transport failure.
function M.request(url, method, path, opts)
  local c = M.connect(url)
  c:send(M.render(method, path, opts))
  local res, err = c:read(method == "HEAD")
  c:close()
  if not res then error("no response to " .. method .. " " .. path .. ": " .. err) end
  if (res.headers["content-type"] or ""):find("json", 1, true) and #res.body > 0 then
    res.json = require("arango.json").decode(res.body)
  end
  return res
end

--- A client bound to one server and credentials: client(method, path, opts).
function M.client(url, defaults)
  return function(method, path, opts)
    opts = opts or {}
    for k, v in pairs(defaults or {}) do
      if opts[k] == nil then opts[k] = v end
    end
    return M.request(url, method, path, opts)
  end
end

return M
