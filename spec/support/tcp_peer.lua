--- A scripted raw TCP peer for testing arango.core, on the same luv loop.
--
-- local peer = tcp_peer.start(function(c)           -- runs once per accepted connection,
--   local req = c:expect()                          -- in its own coroutine
--   c:send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
-- end)
-- peer.url, peer.port, peer.connections (accepted so far), peer.open, peer.max_open,
-- peer.errors (script errors), peer:stop()
--
-- Connection methods (they yield the script's coroutine, never the test's):
--   c:expect()            -> { method, path, headers (lower-case), body, raw } or nil at EOF
--   c:expect_head()       -> the same without waiting for the body (body = nil)
--   c:send(bytes)         one write
--   c:send_pieces(list)   one write per piece, the loop turning between writes
--   c:sleep(ms)
--   c:close()
local uv = require "luv"

local M = {}

local Conn = {}
Conn.__index = Conn

local function resume(co, ...)
  local ok, err = coroutine.resume(co, ...)
  if not ok then error(err, 0) end
end

-- Wakes the script when something it waits for happened.
function Conn:_wake()
  local co = self.waiting
  if co then
    self.waiting = nil
    local ok, err = coroutine.resume(co)
    if not ok then
      self.peer.errors[#self.peer.errors + 1] = tostring(err)
      self:close()
    end
  end
end

function Conn:_wait()
  self.waiting = coroutine.running()
  coroutine.yield()
end

-- Parses one request out of the receive buffer, or returns nil. With head_only the request is
-- returned once its head arrived, and its body bytes stay unread.
function Conn:_take_request(head_only)
  local buf = self.buf
  local head_end = buf:find("\r\n\r\n", 1, true)
  if not head_end then return nil end
  local head = buf:sub(1, head_end - 1)
  local method, path = head:match("^(%S+) (%S+) HTTP/1%.1\r?\n?")
  local headers = {}
  for name, value in head:gmatch("\r\n([^:\r\n]+):[ \t]*([^\r\n]*)") do
    headers[name:lower()] = value
  end
  if head_only then
    self.buf = buf:sub(head_end + 4)
    return { method = method, path = path, headers = headers, raw = head }
  end
  local len = tonumber(headers["content-length"] or "0")
  if #buf < head_end + 3 + len then return nil end
  local body = buf:sub(head_end + 4, head_end + 3 + len)
  self.buf = buf:sub(head_end + 4 + len)
  return { method = method, path = path, headers = headers, body = body, raw = head }
end

function Conn:expect(head_only)
  while true do
    local req = self:_take_request(head_only)
    if req then
      self.requests = self.requests + 1
      self.peer.requests = self.peer.requests + 1
      return req
    end
    if self.eof or self.closed then return nil end
    self:_wait()
  end
end

function Conn:expect_head() return self:expect(true) end

function Conn:send(bytes)
  if self.closed then return false end
  local co = coroutine.running()
  local done = false
  self.tcp:write(bytes, function()
    done = true
    if self.waiting == co then self:_wake() end
  end)
  if not done then self:_wait() end
  return true
end

function Conn:sleep(ms)
  local timer = uv.new_timer()
  timer:start(ms, 0, function()
    timer:close()
    self:_wake()
  end)
  self:_wait()
end

--- Each piece is a separate write; a short sleep lets the loop poll the client's socket (and the
-- client read the piece) before the next one goes out.
function Conn:send_pieces(pieces)
  for i, piece in ipairs(pieces) do
    if not self:send(piece) then return false end
    if i < #pieces then self:sleep(1) end
  end
  return true
end

function Conn:close()
  if self.closed then return end
  self.closed = true
  self.peer.open = self.peer.open - 1
  -- pcall: at lua_close luv may already have torn the handle down when a pending write
  -- callback wakes the script (a script that streams until the client hangs up)
  pcall(function()
    if not self.tcp:is_closing() then self.tcp:close() end
  end)
end

--- Starts a peer on 127.0.0.1 with a free port.
-- @param script function(conn) run for every accepted connection
function M.start(script)
  local peer = { connections = 0, open = 0, max_open = 0, requests = 0, errors = {}, conns = {} }
  local server = uv.new_tcp()
  assert(server:bind("127.0.0.1", 0))
  peer.port = server:getsockname().port
  peer.url = "http://127.0.0.1:" .. peer.port
  assert(server:listen(1024, function(err)
    if err then
      peer.errors[#peer.errors + 1] = err
      return
    end
    local tcp = uv.new_tcp()
    server:accept(tcp)
    peer.connections = peer.connections + 1
    peer.open = peer.open + 1
    if peer.open > peer.max_open then peer.max_open = peer.open end
    local c = setmetatable({ tcp = tcp, buf = "", peer = peer, requests = 0, id = peer.connections }, Conn)
    peer.conns[#peer.conns + 1] = c
    tcp:read_start(function(rerr, data)
      if rerr or not data then
        c.eof = true
      else
        c.buf = c.buf .. data
      end
      c:_wake()
    end)
    c.co = coroutine.create(function()
      script(c)
    end)
    c.waiting = c.co
    c:_wake()
    -- a script that returns leaves the socket open: tests decide when to close
  end))
  function peer.stop()
    for _, c in ipairs(peer.conns) do c:close() end
    if not server:is_closing() then server:close() end
  end
  return peer
end

--- Runs fn(...) in a coroutine and turns the loop until it returns; raises its error.
-- Guards against a hang with a generous limit (a hang is a failure, not a timing assertion).
function M.run(fn, ...)
  local results
  local co = coroutine.create(function(...)
    results = table.pack(pcall(fn, ...))
  end)
  resume(co, ...)
  M.turn_until(function() return coroutine.status(co) == "dead" end)
  if not results[1] then error(results[2], 0) end
  return table.unpack(results, 2, results.n)
end

--- Turns the loop until pred() is true (at most 60 s of wall time).
function M.turn_until(pred)
  local start = uv.now()
  while not pred() do
    uv.run("once")
    uv.update_time()
    if uv.now() - start > 60000 then error("loop did not reach the expected state within 60 s", 2) end
  end
end

--- Spawns n coroutines running fn(i) and turns the loop until all of them finished.
function M.run_many(n, fn)
  local finished, failures = 0, {}
  for i = 1, n do
    local co = coroutine.create(function()
      local ok, err = pcall(fn, i)
      if not ok then failures[#failures + 1] = tostring(err) end
      finished = finished + 1
    end)
    resume(co)
  end
  M.turn_until(function() return finished == n end)
  return failures
end

return M
