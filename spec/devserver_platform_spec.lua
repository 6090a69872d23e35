-- luacheck: no max line length
-- The devserver's platform: HTTP protocol handling, routing and errors, server endpoints and
-- databases. Runs against a devserver subprocess without authentication.
local ds = require "spec.support.devserver"
local json = require "arango.json"

describe("devserver platform", function()
  local srv, url, req

  setup(function()
    srv = ds.start({ auth = false, max_body_size = 4096 })
    url = srv.url
    req = ds.client(url)
  end)

  teardown(function()
    if srv then srv.stop() end
  end)

  local function error_body(res, status, num)
    assert.are.equal(status, res.status)
    assert.is_table(res.json)
    assert.are.equal(true, res.json.error)
    assert.are.equal(status, res.json.code)
    assert.are.equal(num, res.json.errorNum)
    assert.is_string(res.json.errorMessage)
  end

  describe("protocol", function()
    it("sends ArangoDB's headers", function()
      local res = req("GET", "/_api/version")
      assert.are.equal(200, res.status)
      assert.are.equal("ArangoDB", res.headers.server)
      assert.are.equal("application/json; charset=utf-8", res.headers["content-type"])
      assert.are.equal("nosniff", res.headers["x-content-type-options"])
      assert.is_string(res.headers["x-arango-queue-time-seconds"])
      assert.are.equal("3.12.10", res.json.version)
    end)

    it("answers pipelined requests in order on one connection", function()
      local c = ds.connect(url)
      c:send(ds.render("GET", "/_api/version") .. ds.render("GET", "/_admin/nothing")
        .. ds.render("POST", "/_admin/echo?n=3", { body = "three" })
        .. ds.render("GET", "/_db/nope/_api/version"))
      local a = assert(c:read())
      local b = assert(c:read())
      local d = assert(c:read())
      local e = assert(c:read())
      c:close()
      assert.are.equal(200, a.status)
      assert.are.equal(404, b.status)
      assert.are.equal(404, json.decode(b.body).errorNum)
      assert.are.equal("3", json.decode(d.body).parameters.n)
      assert.are.equal("three", json.decode(d.body).requestBody)
      assert.are.equal(1228, json.decode(e.body).errorNum)
    end)

    it("keeps the connection alive across requests sent one by one", function()
      local c = ds.connect(url)
      for i = 1, 5 do
        c:send(ds.render("POST", "/_admin/echo", { body = tostring(i) }))
        local res = assert(c:read())
        assert.are.equal(tostring(i), json.decode(res.body).requestBody)
      end
      c:close()
    end)

    it("reads chunked request bodies", function()
      local c = ds.connect(url)
      c:send("POST /_admin/echo HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n"
        .. "5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n")
      local res = assert(c:read())
      c:close()
      assert.are.equal(200, res.status)
      assert.are.equal("hello, world", json.decode(res.body).requestBody)
    end)

    it("answers Expect: 100-continue before the body arrives", function()
      local c = ds.connect(url)
      c:send("POST /_admin/echo HTTP/1.1\r\nhost: x\r\nexpect: 100-continue\r\ncontent-length: 4\r\n\r\n")
      local cont = assert(c:read())
      assert.are.equal(100, cont.status)
      c:send("body")
      local res = assert(c:read())
      c:close()
      assert.are.equal(200, res.status)
      assert.are.equal("body", json.decode(res.body).requestBody)
    end)

    it("refuses bodies over the size limit with 413 and closes", function()
      local c = ds.connect(url)
      c:send("POST /_admin/echo HTTP/1.1\r\nhost: x\r\ncontent-length: 5000\r\n\r\n" .. string.rep("x", 100))
      local res = assert(c:read())
      assert.are.equal(413, res.status)
      assert.is_true(json.decode(res.body).error)
      assert.is_true(c:wait_closed())
      c:close()
    end)

    it("answers a malformed request with 400 and closes the connection", function()
      local c = ds.connect(url)
      c:send("THIS IS NOT HTTP\r\n\r\n")
      local res = assert(c:read())
      assert.are.equal(400, res.status)
      assert.is_true(c:wait_closed())
      c:close()
    end)

    it("survives garbage bytes and keeps serving new connections", function()
      local c = ds.connect(url)
      local junk = {}
      for i = 1, 2000 do junk[i] = string.char((i * 7919) % 256) end
      c:send(table.concat(junk))
      c:send("\0\0\0\r\n\r\n")
      c:wait_closed(2)
      c:close()
      local c2 = ds.connect(url)
      c2:send("GET /_api/version HTTP/1.1\r\ncontent-length: abc\r\n\r\n")
      local bad = assert(c2:read())
      assert.are.equal(400, bad.status)
      c2:close()
      local res = req("GET", "/_api/version")
      assert.are.equal(200, res.status)
    end)

    it("HEAD answers like GET without a body", function()
      local c = ds.connect(url)
      c:send(ds.render("HEAD", "/_api/version") .. ds.render("GET", "/_api/version"))
      local head = assert(c:read(true))
      local get = assert(c:read())
      c:close()
      assert.are.equal(200, head.status)
      assert.are.equal("", head.body)
      assert.are.equal(tostring(#get.body), head.headers["content-length"])
    end)
  end)

  describe("routing and errors", function()
    it("unknown paths give 404 with errorNum 404", function()
      local res = req("GET", "/_api/does-not-exist")
      error_body(res, 404, 404)
      assert.are.equal("unknown path '/_api/does-not-exist'", res.json.errorMessage)
    end)

    it("wrong methods give 405 with errorNum 405", function()
      error_body(req("DELETE", "/_api/version"), 405, 405)
    end)

    it("unknown databases give 404 with errorNum 1228", function()
      local res = req("GET", "/_db/no_such_db/_api/version")
      error_body(res, 404, 1228)
      assert.are.equal("database not found", res.json.errorMessage)
    end)

    it("malformed JSON bodies give 400 with errorNum 600", function()
      local res = req("PUT", "/_admin/server/mode", { body = "{nope" })
      error_body(res, 400, 600)
      res = req("POST", "/_api/database", { body = "[1, 2" })
      error_body(res, 400, 600)
    end)

    it("decodes query strings", function()
      local res = req("POST", "/_admin/echo?a=1&b=x%20y&c=p+q&flag", { body = "" })
      assert.are.equal("1", res.json.parameters.a)
      assert.are.equal("x y", res.json.parameters.b)
      assert.are.equal("p q", res.json.parameters.c)
    end)
  end)

  describe("server endpoints", function()
    it("/_api/version with details", function()
      local res = req("GET", "/_api/version?details=true")
      assert.are.equal("arango", res.json.server)
      assert.are.equal("SINGLE", res.json.details.role)
      assert.is_nil(req("GET", "/_api/version").json.details)
    end)

    it("/_api/engine", function()
      local res = req("GET", "/_api/engine")
      assert.are.equal("rocksdb", res.json.name)
      assert.are.equal("persistent", res.json.supports.aliases.indexes.hash)
    end)

    it("/_admin/server/role, availability, mode, id", function()
      assert.are.equal("SINGLE", req("GET", "/_admin/server/role").json.role)
      assert.are.equal("default", req("GET", "/_admin/server/availability").json.mode)
      assert.are.equal("default", req("GET", "/_admin/server/mode").json.mode)
      assert.are.equal(500, req("GET", "/_admin/server/id").status)
    end)

    it("read-only mode refuses writes and can be switched back", function()
      local res = req("PUT", "/_admin/server/mode", { body = { mode = "readonly" } })
      assert.are.equal("readonly", res.json.mode)
      assert.are.equal("readonly", req("GET", "/_admin/server/mode").json.mode)
      error_body(req("PUT", "/_admin/server/mode", { body = { mode = "bogus" } }), 400, 10)
      assert.are.equal(403, req("POST", "/_api/document/_graphs", { body = { x = 1 } }).status)
      assert.are.equal(1004, req("POST", "/_api/document/_graphs", { body = { x = 1 } }).json.errorNum)
      res = req("PUT", "/_admin/server/mode", { body = { mode = "default" } })
      assert.are.equal("default", res.json.mode)
      res = req("POST", "/_api/document/_graphs", { body = { _key = "ro_test" } })
      assert.is_true(res.status == 201 or res.status == 202)
    end)

    it("/_admin/time is the current time", function()
      local t = req("GET", "/_admin/time").json.time
      assert.is_number(t)
      assert.is_true(math.abs(t - os.time()) < 60)
    end)

    it("/_admin/status", function()
      local res = req("GET", "/_admin/status")
      assert.are.equal("3.12.10", res.json.version)
      assert.are.equal("SINGLE", res.json.serverInfo.role)
      assert.are.equal(srv.pid, res.json.pid)
    end)

    it("/_admin/echo returns the request", function()
      local res = req("POST", "/_db/_system/_admin/echo?x=1", { body = "hi", headers = { ["x-test"] = "yes" } })
      assert.are.equal("hi", res.json.requestBody)
      assert.are.equal("POST", res.json.requestType)
      assert.are.equal("yes", res.json.headers["x-test"])
      assert.are.equal("_system", res.json.database)
    end)

    it("/_admin/log, /_admin/log/entries and /_admin/log/level", function()
      local entries = req("GET", "/_admin/log/entries").json
      assert.is_true(entries.total >= 1)
      assert.is_string(entries.messages[1].message)
      local legacy = req("GET", "/_admin/log").json
      assert.are.equal(#legacy.lid, #legacy.text)
      local levels = req("PUT", "/_admin/log/level", { body = { general = "debug" } }).json
      assert.are.equal("DEBUG", levels.general)
      assert.are.equal("DEBUG", req("GET", "/_admin/log/level").json.general)
      assert.are.equal("INFO", req("DELETE", "/_admin/log/level").json.general)
      assert.are.equal(400, req("PUT", "/_admin/log/level", { body = { general = "loud" } }).status)
    end)

    it("/_admin/statistics counts requests", function()
      local before = req("GET", "/_admin/statistics").json.http.requestsTotal
      req("GET", "/_api/version")
      local after = req("GET", "/_admin/statistics").json.http.requestsTotal
      assert.are.equal(before + 2, after)
      assert.is_table(req("GET", "/_admin/statistics-description").json.groups)
    end)

    it("/_admin/metrics is Prometheus text with real counters", function()
      local text = req("GET", "/_admin/metrics").body
      assert.truthy(text:find("# TYPE arangodb_http_request_statistics_total_requests_total counter", 1, true))
      local n1 = tonumber(text:match('arangodb_http_request_statistics_total_requests_total{role="SINGLE"} (%d+)'))
      local text2 = req("GET", "/_admin/metrics").body
      local n2 = tonumber(text2:match('arangodb_http_request_statistics_total_requests_total{role="SINGLE"} (%d+)'))
      assert.are.equal(n1 + 1, n2)
    end)

    it("answers the other administration and monitoring endpoints", function()
      local engine = req("GET", "/_api/engine/stats")
      assert.are.equal(200, engine.status)
      assert.is_number(engine.json["rocksdb.estimate-num-keys"])
      local info = req("GET", "/_admin/support-info").json
      assert.are.equal("single", info.deployment.type)
      assert.are.equal(4096, req("GET", "/_admin/options").json["server.maximal-body-size"])
      assert.is_table(req("GET", "/_admin/options-description").json["server.maximal-body-size"])
      assert.are.equal("rocksdb", req("GET", "/_admin/options-public").json["server.storage-engine"])
      error_body(req("GET", "/_db/nosuch/_admin/options"), 404, 1228)
      error_body(req("PUT", "/_admin/license", { body = '"not-a-license"' }), 400, 9001)
      error_body(req("PUT", "/_admin/license", { body = "{}" }), 400, 10)
      assert.are.same({}, req("GET", "/_admin/crashes").json.result)
      error_body(req("GET", "/_admin/crashes/abc"), 404, 1202)
      assert.is_false(req("GET", "/_admin/shutdown").json.softShutdownOngoing)
      assert.are.equal(url, req("GET", "/_api/endpoint").json[1].endpoint)
      error_body(req("GET", "/_admin/server/jwt"), 403, 11)
      assert.are.equal("RestHandler", req("GET", "/_admin/activities").json[1].type)
      -- structured log settings change and stay changed
      assert.is_true(req("PUT", "/_admin/log/structured", { body = { url = true } }).json.url)
      assert.is_true(req("GET", "/_admin/log/structured").json.url)
      error_body(req("PUT", "/_admin/log/structured", { body = { url = "yes" } }), 400, 10)
      -- recent calls include this very request path
      req("GET", "/_api/version?marker=1")
      local calls = req("GET", "/_admin/server/api-calls").json.result.calls
      assert.are.equal("/_api/version", calls[2].path)
      assert.are.equal("GET", calls[2].requestType)
      req("POST", "/_api/cursor", { body = { query = "RETURN SLEEP(0)" } })
      assert.is_table(req("GET", "/_admin/server/aql-queries").json.result.queries)
      local usage = req("GET", "/_admin/usage-metrics")
      assert.are.equal(200, usage.status)
      assert.truthy(usage.headers["content-type"]:find("text/plain", 1, true))
    end)

    it("/_admin/routing/reload and /_admin/database/target-version", function()
      assert.are.equal(200, req("POST", "/_admin/routing/reload").status)
      assert.is_not_nil(req("GET", "/_admin/database/target-version").json.version)
    end)
  end)

  describe("databases", function()
    it("creates, lists and drops a database", function()
      local res = req("POST", "/_api/database", { body = { name = "platform_db" } })
      assert.are.equal(201, res.status)
      assert.is_true(res.json.result)
      local list = req("GET", "/_api/database").json.result
      assert.is_true(json.is_array(list))
      local found = false
      for _, n in ipairs(list) do found = found or n == "platform_db" end
      assert.is_true(found)
      local cur = req("GET", "/_db/platform_db/_api/database/current").json.result
      assert.are.equal("platform_db", cur.name)
      assert.is_false(cur.isSystem)
      res = req("DELETE", "/_api/database/platform_db")
      assert.are.equal(200, res.status)
      error_body(req("GET", "/_db/platform_db/_api/version"), 404, 1228)
      error_body(req("DELETE", "/_api/database/platform_db"), 404, 1228)
    end)

    it("refuses duplicates, invalid names and non-objects", function()
      assert.are.equal(201, req("POST", "/_api/database", { body = { name = "dup_db" } }).status)
      error_body(req("POST", "/_api/database", { body = { name = "dup_db" } }), 409, 1207)
      error_body(req("POST", "/_api/database", { body = { name = "1bad" } }), 400, 1229)
      error_body(req("POST", "/_api/database", { body = { name = "_hidden" } }), 400, 1229)
      error_body(req("POST", "/_api/database", { body = { name = 42 } }), 400, 1229)
      error_body(req("POST", "/_api/database", { body = "[]" }), 400, 10)
      assert.are.equal(200, req("DELETE", "/_api/database/dup_db").status)
    end)

    it("never drops _system and only manages databases from _system", function()
      error_body(req("DELETE", "/_api/database/_system"), 403, 11)
      assert.are.equal(201, req("POST", "/_api/database", { body = { name = "other_db" } }).status)
      error_body(req("POST", "/_db/other_db/_api/database", { body = { name = "x" } }), 403, 1230)
      error_body(req("GET", "/_db/other_db/_api/database"), 403, 1230)
      error_body(req("DELETE", "/_db/other_db/_api/database/other_db"), 403, 1230)
      assert.are.equal(200, req("DELETE", "/_api/database/other_db").status)
      assert.are.equal(200, req("GET", "/_api/version").status)
    end)

    it("lists the databases of the current user", function()
      local res = req("GET", "/_api/database/user")
      assert.are.equal(200, res.status)
      assert.are.equal("_system", res.json.result[1])
    end)
  end)
end)

describe("devserver lifecycle", function()
  it("starts in-process with require('arango.devserver').start and stops", function()
    local devserver = require "arango.devserver"
    local h = devserver.start({ port = 0, no_auth = true })
    assert.truthy(h.url:match("^http://127%.0%.0%.1:%d+$"))
    assert.is_true(h.port > 0)
    local res = ds.request(h.url, "GET", "/_api/version")
    assert.are.equal(200, res.status)
    h.stop()
    require("luv").run("nowait")
    assert.has_error(function() ds.request(h.url, "GET", "/_api/version") end)
  end)

  it("the executable exits cleanly on SIGTERM", function()
    local srv = ds.start({ auth = false })
    assert.are.equal(200, ds.request(srv.url, "GET", "/_api/version").status)
    assert.are.equal(0, srv.stop())
  end)

  it("the executable stops after DELETE /_admin/shutdown", function()
    local srv = ds.start({ auth = false })
    local res = ds.request(srv.url, "DELETE", "/_admin/shutdown")
    assert.are.same({ 200, "OK" }, { res.status, res.json })
    assert.is_true(ds.wait(function() return (srv.exited()) end, 10))
    assert.are.equal(0, select(2, srv.exited()))
    srv.stop()
  end)

  it("the executable refuses unknown options", function()
    assert.has_error(function() ds.start({ args = { "--bogus" } }) end)
  end)
end)

describe("devserver cooperative handlers", function()
  local devserver = require "arango.devserver"
  local h

  before_each(function() h = devserver.start({ port = 0, no_auth = true }) end)
  after_each(function()
    if h then h.stop() end
    require("luv").run("nowait")
  end)

  local function decode(res)
    res.json = json.decode(res.body)
    return res
  end

  it("answers pipelined requests in order when one of them waits", function()
    local c = ds.connect(h.url)
    c:send(ds.render("POST", "/_api/cursor", { body = { query = "RETURN [SLEEP(0.2), 'first']" } })
      .. ds.render("GET", "/_api/version")
      .. ds.render("POST", "/_api/cursor", { body = { query = "RETURN 'third'" } }))
    local first = decode(assert(c:read(false, 10)))
    local second = decode(assert(c:read(false, 10)))
    local third = decode(assert(c:read(false, 10)))
    c:close()
    assert.are.equal(201, first.status)
    assert.are.same({ json.null, "first" }, first.json.result[1])
    assert.are.equal(200, second.status)
    assert.are.equal("3.12.10", second.json.version)
    assert.are.same({ "third" }, third.json.result)
  end)

  it("turns an error raised after a handler resumed into an error response", function()
    local c = ds.connect(h.url)
    c:send(ds.render("POST", "/_api/cursor", { body = { query = "LET s = SLEEP(0.05) RETURN FAIL('late')" } })
      .. ds.render("GET", "/_api/version"))
    local res = decode(assert(c:read(false, 10)))
    assert.are.equal(400, res.status)
    assert.are.equal(1569, res.json.errorNum)
    assert.matches("late", res.json.errorMessage, 1, true)
    -- the connection stays usable
    assert.are.equal(200, assert(c:read(false, 10)).status)
    c:close()
  end)

  it("answers a waiting request of a client that half-closed, then closes", function()
    local c = ds.connect(h.url)
    c:send(ds.render("POST", "/_api/cursor", { body = { query = "RETURN [SLEEP(0.1), 'late']" } }))
    c.tcp:shutdown()
    local res = decode(assert(c:read(false, 10)))
    assert.are.equal(201, res.status)
    assert.are.same({ json.null, "late" }, res.json.result[1])
    assert.is_true(c:wait_closed(5))
    c:close()
  end)

  -- Runs `step` until it returns true, at most `max` times (a bound on turns, not on time).
  local function within_turns(max, step)
    for _ = 1, max do
      if step() then return true end
    end
    return false
  end

  local function running(query)
    local res = decode(ds.request(h.url, "GET", "/_api/query/current"))
    assert.are.equal(200, res.status)
    for _, q in ipairs(res.json) do
      if q.query == query then return true end
    end
    return false
  end

  it("kills the query of a client that resets its connection while waiting", function()
    local uv = require "luv"
    local query = "FOR i IN 1..1000000000 FILTER i < 0 RETURN i"
    local c = ds.connect(h.url)
    c:send(ds.render("POST", "/_api/cursor", { body = { query = query, batchSize = 2 } }))
    assert.is_true(within_turns(200, function() return running(query) end), "the query never started")
    assert.are.equal(1, h.state.scheduler:pending())
    -- RST instead of FIN: the server's next read fails with ECONNRESET
    c.closed = true
    c.tcp:close_reset()
    assert.is_true(within_turns(500, function() return not running(query) end),
      "the query still runs after its client went away")
    assert.is_true(ds.wait(function() return h.state.scheduler:pending() == 0 end, 5))
    uv.run("nowait")
    -- the server goes on serving
    assert.are.equal(200, ds.request(h.url, "GET", "/_api/version").status)
  end)

  it("stops with a handler still waiting", function()
    local c = ds.connect(h.url)
    c:send(ds.render("POST", "/_api/cursor", { body = { query = "RETURN SLEEP(1000)" } }))
    assert.are.equal(200, ds.request(h.url, "GET", "/_api/version").status)
    assert.is_table(h.state.scheduler)
    assert.are.equal(1, h.state.scheduler:pending())
    h.stop()
    h = nil
    assert.is_true(c:wait_closed(5))
    c:close()
  end)

  it("keeps the server's memory bounded while a stream of 100,000 rows is read", function()
    local pad = string.rep("x", 300)
    collectgarbage("collect")
    local base = collectgarbage("count")
    local res = decode(ds.request(h.url, "POST", "/_api/cursor", { body = {
      query = "FOR i IN 1..100000 RETURN { i, s: CONCAT(@pad, i) }", bindVars = { pad = pad },
      batchSize = 1000, options = { stream = true } } }))
    assert.are.equal(201, res.status)
    local n, max_growth = 0, 0
    while true do
      n = n + #res.json.result
      if n % 10000 == 0 then
        collectgarbage("collect")
        max_growth = math.max(max_growth, collectgarbage("count") - base)
      end
      if not res.json.hasMore then break end
      res = decode(ds.request(h.url, "PUT", "/_api/cursor/" .. res.json.id))
      assert.are.equal(200, res.status)
    end
    assert.are.equal(100000, n)
    -- the rows take over 30 MB: a server that computed them up front would hold them all
    assert.is_true(max_growth < 10 * 1024, string.format("memory grew by %.1f MB", max_growth / 1024))
  end)
end)

describe("devserver HTTP layer and disconnecting clients", function()
  local http = require "arango.devserver.http"
  local uv = require "luv"
  local server, seen, replies

  before_each(function()
    seen, replies = {}, {}
    server = assert(http.listen({
      host = "127.0.0.1", port = 0,
      on_request = function(req, reply)
        seen[#seen + 1] = req
        req.on_disconnect = function(r) r.hook_calls = (r.hook_calls or 0) + 1 end
        replies[#replies + 1] = reply
        return nil -- answered later, like a long query
      end,
      on_error = function(status) return { status = status, body = "" } end,
    }))
  end)

  after_each(function()
    server.close()
    uv.run("nowait")
  end)

  local function url() return "http://127.0.0.1:" .. server.port end

  it("marks the pending request of a client that reset the connection, once", function()
    local c = ds.connect(url())
    c:send(ds.render("GET", "/slow"))
    assert.is_true(ds.wait(function() return #seen == 1 end, 5))
    assert.is_nil(seen[1].disconnected)
    c.closed = true
    c.tcp:close_reset()
    assert.is_true(ds.wait(function() return seen[1].disconnected == true end, 5))
    assert.are.equal(1, seen[1].hook_calls)
    -- a late answer to a vanished client is dropped without error and marks nothing twice
    replies[1]({ status = 200, body = "late" })
    uv.run("nowait")
    assert.are.equal(1, seen[1].hook_calls)
  end)

  it("does not mark a request whose client only half-closed, and still answers it", function()
    local c = ds.connect(url())
    c:send(ds.render("GET", "/slow"))
    assert.is_true(ds.wait(function() return #seen == 1 end, 5))
    c.tcp:shutdown()
    -- give the server the turns it needs to see the EOF
    ds.wait(function() return false end, 0.2)
    assert.is_nil(seen[1].disconnected)
    replies[1]({ status = 200, body = "answer" })
    local res = assert(c:read(false, 5))
    assert.are.equal("answer", res.body)
    assert.is_nil(seen[1].disconnected)
    c:close()
  end)

  it("marks requests still pending when the server closes", function()
    local c = ds.connect(url())
    c:send(ds.render("GET", "/slow"))
    assert.is_true(ds.wait(function() return #seen == 1 end, 5))
    server.close()
    assert.is_true(seen[1].disconnected)
    assert.is_true(c:wait_closed(5))
    c:close()
  end)
end)
