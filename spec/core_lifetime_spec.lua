-- arango.core must survive the Lua state closing with requests in flight and sockets idle:
-- luv closes every handle it finds on its loop at exit, so ours must be gone by then.
local child = require "spec.support.child"

local function run_child(code)
  local path = os.tmpname()
  local f = assert(io.open(path, "w"))
  f:write(code)
  f:close()
  local out = os.tmpname()
  -- a child that hangs fails its spec instead of stalling the suite
  local ok, how, status = os.execute(string.format("%s timeout 60 lua5.4 %s >%s 2>&1",
    child.env_prefix(), path, out))
  local fo = assert(io.open(out))
  local output = fo:read("a")
  fo:close()
  os.remove(path)
  os.remove(out)
  return ok, how, status, output
end

local prelude = [[
local uv = require "luv"
local core = require "arango.core"
local tcp_peer = require "spec.support.tcp_peer"
]]

describe("arango.core at lua_close", function()
  it("exits cleanly with a request in flight and an idle pooled socket", function()
    local ok, how, status, output = run_child(prelude .. [[
local peer = tcp_peer.start(function(c)
  local req = c:expect()
  if req.path == "/answer" then
    c:send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    c:expect()
  end
  -- "/silent" is never answered
end)
local http = core.http{}
local res = assert(http:request{ url = peer.url, path = "/answer" })  -- leaves an idle socket
assert(res.body == "ok")
local other = core.http{}
coroutine.wrap(function() other:request{ url = peer.url, path = "/silent", timeout = 30 } end)()
local silent = core.http{}
coroutine.wrap(function() silent:request{ url = peer.url, path = "/silent" } end)()
-- connecting, then queued behind a full pool of one
local tiny = core.http{ max_connections = 1 }
for _ = 1, 3 do coroutine.wrap(function() tiny:request{ url = peer.url, path = "/silent" } end)() end
for _ = 1, 5 do uv.run("nowait") end
io.write("reached the end\n")
]])
    assert.equal("reached the end\n", output)
    assert.is_true(ok, tostring(how) .. " " .. tostring(status))
    assert.equal(0, status)
  end)

  it("lets uv.run() return while keep-alive sockets sit idle in the pool, and reuses them", function()
    local ok, _, status, output = run_child(prelude .. [[
-- A bare luv peer whose handles are unreferenced: only the client's handles can keep the loop
-- running, so uv.run() returns only if idle pooled sockets do not hold it.
local accepted = 0
local server = uv.new_tcp()
assert(server:bind("127.0.0.1", 0))
server:listen(16, function()
  local c = uv.new_tcp()
  server:accept(c)
  accepted = accepted + 1
  c:read_start(function(_, data)
    if data then c:write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok") end
  end)
  c:unref()
end)
server:unref()
local url = "http://127.0.0.1:" .. server:getsockname().port
local http = core.http{}
local answers = 0
for i = 1, 3 do
  coroutine.wrap(function()
    assert(http:request{ url = url, path = "/" .. i }).body = nil
    answers = answers + 1
  end)()
end
uv.run()
io.write(string.format("uv.run returned after %d answers\n", answers))
local res = assert(http:request{ url = url, path = "/again" })
io.write(string.format("again: %s over %d connections\n", res.body, accepted))
]])
    assert.equal("uv.run returned after 3 answers\nagain: ok over 3 connections\n", output)
    assert.is_true(ok)
    assert.equal(0, status)
  end)

  it("reports a resumed coroutine's error on stderr without a handler, or when the handler fails", function()
    local ok, _, status, output = run_child(prelude .. [[
local peer = tcp_peer.start(function(c)
  while c:expect() do c:send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok") end
end)
local http = core.http{}
local function doomed(text)
  local co = coroutine.create(function()
    http:request{ url = peer.url, path = "/" }
    error(text)
  end)
  assert(coroutine.resume(co))
  tcp_peer.turn_until(function() return coroutine.status(co) == "dead" end)
end
doomed("first failure")
core.on_coroutine_error(function() error("the handler fails too") end)
doomed("second failure")
http:close()
peer.stop()
uv.run("nowait")
io.write("still running\n")
]])
    assert.is_true(ok, output)
    assert.equal(0, status)
    assert.matches("raised an error %(status 2%): [^\n]*first failure", output)
    assert.matches("the coroutine error handler failed: [^\n]*the handler fails too", output)
    assert.matches("second failure", output)
    assert.matches("still running\n$", output)
  end)

  it("exits cleanly while a host name is being resolved", function()
    local ok, _, status, output = run_child(prelude .. [[
local http = core.http{}
coroutine.wrap(function() http:request{ url = "http://localhost:9", path = "/" } end)()
io.write("done\n")
]])
    assert.equal("done\n", output)
    assert.is_true(ok)
    assert.equal(0, status)
  end)

  it("answers a request from a finaliser that runs after the module shut down", function()
    -- lua_close finalises in reverse creation order: this object outlives the core's
    -- sentinel and the http object, so its request must come back as "closed"
    local ok, _, status, output = run_child([[
local late = {}
LATE = setmetatable({}, { __gc = function()
  local res, err = late.http:request{ url = "http://127.0.0.1:9", path = "/" }
  io.write(tostring(res), " ", err.kind, " ", err.host, "\n")
  late.http:close()
end })
]] .. prelude .. [[
late.http = core.http{}
io.write("end of script\n")
]])
    assert.equal("end of script\nnil closed 127.0.0.1:9\n", output)
    assert.is_true(ok)
    assert.equal(0, status)
  end)

  it("exits cleanly after http:close() and an explicit collection", function()
    local ok, _, status, output = run_child(prelude .. [[
local peer = tcp_peer.start(function(c) c:expect(); c:send("HTTP/1.1 204 No Content\r\n\r\n"); c:expect() end)
local http = core.http{}
assert(http:request{ url = peer.url, path = "/" })
http:close()
http = nil
collectgarbage()
collectgarbage()
local again = core.http{}
assert(again:request{ url = peer.url, path = "/" })
again = nil
collectgarbage()
peer.stop()
uv.run()
io.write("done\n")
]])
    assert.equal("done\n", output)
    assert.is_true(ok)
    assert.equal(0, status)
  end)

  it("keeps a coroutine it resumed alive while that coroutine resumes others", function()
    -- The JWT refresh pattern: a coroutine nobody references but the core waits on a request
    -- (inside pcall), and once resumed by the core it wakes coroutines that yielded in plain
    -- Lua, each of which collects garbage and makes a request of its own. While it is resuming
    -- them it is "normal", on no Lua stack: the core's reference must hold it until its
    -- lua_resume returns, or a collection frees its stack under coroutine.resume.
    local ok, _, status, output = run_child(prelude .. [[
local peer = tcp_peer.start(function(c)
  while true do
    local req = c:expect()
    if not req then break end
    c:send("HTTP/1.1 200 OK\r\nContent-Length: " .. #req.path .. "\r\n\r\n" .. req.path)
  end
  c:close()
end)
local http = core.http{ max_connections = 2 }
local finished, bodies = 0, {}
for round = 1, 5 do
  local waiters = {}
  coroutine.resume(coroutine.create(function()  -- the refresher: no Lua reference kept
    local got, res = pcall(http.request, http, { url = peer.url, path = "/refresh" })
    assert(got and res and res.body == "/refresh")
    local mine = { round = round }
    for _, co in ipairs(waiters) do assert(coroutine.resume(co, mine)) end
    assert(mine.round == round)
    finished = finished + 1
  end))
  for i = 1, 8 do
    local co = coroutine.create(function()
      local token = coroutine.yield()
      collectgarbage()
      local res = assert(http:request{ url = peer.url, path = "/w" .. token.round .. "-" .. i })
      bodies[#bodies + 1] = res.body
      finished = finished + 1
    end)
    assert(coroutine.resume(co))
    waiters[i] = co
  end
  while finished < round * 9 do uv.run("once") end
end
http:close()
peer.stop()
uv.run()
io.write(#bodies, " done\n")
]])
    assert.equal("40 done\n", output)
    assert.is_true(ok)
    assert.equal(0, status)
  end)
end)
