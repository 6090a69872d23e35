--- A TCP proxy on the luv loop for fault injection in specs: it listens on 127.0.0.1 (a free
-- port), forwards every connection to a target server, logs the HTTP requests that pass, and
-- can be told to cut a connection at a chosen point.
--
--   local proxy = tcp_proxy.start{ target = srv.url }
--   proxy.url, proxy.port
--   proxy:cut_after_response_bytes(n [, pattern])
--       the next request whose "METHOD PATH" line matches `pattern` (a Lua pattern, default any)
--       goes to the server; n bytes of its response reach the client, then both sides are closed
--       (n = 0: the server did the work, the client gets nothing)
--   proxy:cut_on_request([pattern])
--       the next matching request is never forwarded: the client's connection is closed instead
--   proxy.requests   { "POST /_db/x/_api/cursor/12/2", ... } every request forwarded, in order
--   proxy.cut        { "POST /...", ... } the requests whose connection was cut
--   proxy.connections (accepted so far), proxy.errors (socket errors seen)
--   proxy:stop()
--
-- Everything runs in luv callbacks: the proxy works while the code under test turns the loop
-- (arango.core runs it until its request is done).
local uv = require "luv"

local M = {}

local Proxy = {}
Proxy.__index = Proxy

local function close_handle(h)
  if h and not h:is_closing() then h:close() end
end

-- Takes one complete request off the front of `buf`: returns its bytes, its "METHOD PATH" line
-- and the rest of the buffer; nil when incomplete.
local function take_request(buf)
  local head_end = buf:find("\r\n\r\n", 1, true)
  if not head_end then return nil end
  local line = buf:match("^(%S+ %S+) HTTP/1%.%d\r\n")
  local len = 0
  for name, value in buf:sub(1, head_end):gmatch("\r\n([^:\r\n]+):[ \t]*([^\r\n]*)") do
    if name:lower() == "content-length" then len = tonumber(value) or 0 end
    if name:lower() == "transfer-encoding" then
      error("tcp_proxy: chunked request bodies are not supported")
    end
  end
  local total = head_end + 3 + len
  if #buf < total then return nil end
  return buf:sub(1, total), line or "?", buf:sub(total + 1)
end

function Proxy:_cut(conn)
  if conn.dead then return end
  conn.dead = true
  self.cut[#self.cut + 1] = conn.current or "?"
  close_handle(conn.client)
  close_handle(conn.upstream)
end

function Proxy:_close(conn) -- luacheck: no unused args
  if conn.dead then return end
  conn.dead = true
  close_handle(conn.client)
  close_handle(conn.upstream)
end

function Proxy:_to_upstream(conn, bytes) -- luacheck: no unused args
  if conn.up_ready then
    conn.upstream:write(bytes)
  else
    conn.pending[#conn.pending + 1] = bytes
  end
end

-- Client bytes: forward complete requests one by one, applying a trap that matches.
function Proxy:_on_client_data(conn, data)
  conn.buf = conn.buf .. data
  while not conn.dead do
    local bytes, line, rest = take_request(conn.buf)
    if not bytes then return end
    conn.buf = rest
    conn.current = line
    local trap = self.trap
    if trap and line:find(trap.pattern) then
      self.trap = nil
      if trap.kind == "request" then
        self:_cut(conn)
        return
      end
      conn.budget = trap.bytes
    end
    self.requests[#self.requests + 1] = line
    self:_to_upstream(conn, bytes)
  end
end

-- Server bytes: pass them on, or only `budget` of them and then cut.
function Proxy:_on_upstream_data(conn, data)
  if conn.dead or conn.dead_pending then return end
  local budget = conn.budget
  if budget == nil then
    conn.client:write(data)
    return
  end
  if budget > 0 then conn.client:write(data:sub(1, budget)) end
  if #data >= budget then
    -- let the partial write reach the client before the close
    conn.client:shutdown(function() self:_cut(conn) end)
    conn.budget = nil
    conn.dead_pending = true
  else
    conn.budget = budget - #data
  end
end

function Proxy:_accept()
  local client = uv.new_tcp()
  self.server:accept(client)
  self.connections = self.connections + 1
  local conn = { client = client, upstream = uv.new_tcp(), buf = "", pending = {}, up_ready = false }
  self.conns[#self.conns + 1] = conn
  conn.upstream:connect(self.host, self.port_target, function(err)
    if err then
      self.errors[#self.errors + 1] = "connect: " .. tostring(err)
      self:_close(conn)
      return
    end
    conn.up_ready = true
    for _, bytes in ipairs(conn.pending) do conn.upstream:write(bytes) end
    conn.pending = {}
    conn.upstream:read_start(function(rerr, data)
      if rerr or not data then
        self:_close(conn)
        return
      end
      self:_on_upstream_data(conn, data)
    end)
  end)
  client:read_start(function(rerr, data)
    if rerr or not data then
      self:_close(conn)
      return
    end
    if conn.dead or conn.dead_pending then return end
    local ok, perr = pcall(self._on_client_data, self, conn, data)
    if not ok then
      self.errors[#self.errors + 1] = tostring(perr)
      self:_close(conn)
    end
  end)
end

--- Arm a cut: the next matching request is forwarded, n bytes of its response reach the client,
-- then the connection is closed on both sides.
-- @tparam integer n response bytes to let through (0: none)
-- @tparam[opt] string pattern Lua pattern matched against "METHOD PATH"
function Proxy:cut_after_response_bytes(n, pattern)
  assert(type(n) == "number" and n >= 0, "n must be a number >= 0")
  self.trap = { kind = "response", bytes = n, pattern = pattern or "" }
end

--- Arm a cut: the next matching request is dropped and its client connection closed.
-- @tparam[opt] string pattern Lua pattern matched against "METHOD PATH"
function Proxy:cut_on_request(pattern)
  self.trap = { kind = "request", pattern = pattern or "" }
end

--- Tell whether an armed cut is still waiting for its request.
function Proxy:armed() return self.trap ~= nil end

--- Stop listening and close every connection.
function Proxy:stop()
  for _, conn in ipairs(self.conns) do self:_close(conn) end
  close_handle(self.server)
  uv.run("nowait") -- let the close callbacks run now (luv crashes at exit on handles still closing)
end

--- Start a proxy to `opts.target` ("http://host:port").
-- @return the proxy
function M.start(opts)
  local host, port = tostring(opts.target):match("^http://([^:/]+):(%d+)")
  assert(host, "tcp_proxy.start: target must be http://host:port")
  local self = setmetatable({
    host = host, port_target = tonumber(port), requests = {}, cut = {}, errors = {}, conns = {},
    connections = 0,
  }, Proxy)
  local server = uv.new_tcp()
  assert(server:bind("127.0.0.1", 0))
  self.server = server
  self.port = server:getsockname().port
  self.url = "http://127.0.0.1:" .. self.port
  assert(server:listen(128, function(err)
    if err then
      self.errors[#self.errors + 1] = "listen: " .. tostring(err)
      return
    end
    self:_accept()
  end))
  return self
end

return M
