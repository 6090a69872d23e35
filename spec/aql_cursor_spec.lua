-- /_api/cursor and the query-management endpoints over HTTP against a devserver: batching,
-- count/fullCount, allowRetry re-reads, expiry, deletion, streaming queries that can be
-- killed, the query results cache, explain/parse and AQL user functions.
local ds = require "spec.support.devserver"
local json = require "arango.json"

describe("AQL over HTTP", function()
  local srv, call

  setup(function()
    srv = ds.start({ auth = false })
    call = ds.client(srv.url)
  end)

  teardown(function()
    if srv then srv.stop() end
  end)

  local function post(path, body) return call("POST", path, { body = body }) end

  local function expect_error(res, status, num)
    assert.are.equal(status, res.status, res.body)
    assert.is_true(res.json.error)
    assert.are.equal(num, res.json.errorNum)
    assert.are.equal(status, res.json.code)
  end

  it("hands results out in batches with count", function()
    local r = post("/_api/cursor", { query = "FOR i IN 1..5 RETURN i", count = true, batchSize = 2 })
    assert.are.equal(201, r.status)
    assert.are.same({ 1, 2 }, r.json.result)
    assert.is_true(r.json.hasMore)
    assert.are.equal(5, r.json.count)
    assert.is_false(r.json.cached)
    assert.is_string(r.json.id)
    assert.are.equal(0, r.json.extra.stats.writesExecuted)
    assert.is_table(r.json.extra.warnings)
    local id = r.json.id
    r = call("PUT", "/_api/cursor/" .. id)
    assert.are.equal(200, r.status)
    assert.are.same({ 3, 4 }, r.json.result)
    assert.is_true(r.json.hasMore)
    r = call("POST", "/_api/cursor/" .. id)
    assert.are.same({ 5 }, r.json.result)
    assert.is_false(r.json.hasMore)
    expect_error(call("PUT", "/_api/cursor/" .. id), 404, 1600)
  end)

  it("answers a single batch without a cursor id", function()
    local r = post("/_api/cursor", { query = "RETURN 1" })
    assert.are.equal(201, r.status)
    assert.is_false(r.json.hasMore)
    assert.is_nil(r.json.id)
    assert.is_nil(r.json.count)
  end)

  it("re-reads batches with allowRetry", function()
    local r = post("/_api/cursor", { query = "FOR i IN 1..5 RETURN i", batchSize = 2,
      options = { allowRetry = true } })
    local id = r.json.id
    assert.are.equal("2", r.json.nextBatchId)
    r = call("POST", "/_api/cursor/" .. id)
    assert.are.same({ 3, 4 }, r.json.result)
    assert.are.equal("3", r.json.nextBatchId)
    r = call("POST", "/_api/cursor/" .. id .. "/2")
    assert.are.equal(200, r.status)
    assert.are.same({ 3, 4 }, r.json.result)
    r = call("POST", "/_api/cursor/" .. id .. "/3")
    assert.are.same({ 5 }, r.json.result)
    assert.is_false(r.json.hasMore)
    -- the last batch can still be fetched again
    r = call("POST", "/_api/cursor/" .. id .. "/3")
    assert.are.same({ 5 }, r.json.result)
    expect_error(call("POST", "/_api/cursor/" .. id .. "/7"), 404, 1600)
    assert.are.equal(202, call("DELETE", "/_api/cursor/" .. id).status)
  end)

  it("deletes cursors", function()
    local r = post("/_api/cursor", { query = "FOR i IN 1..5 RETURN i", batchSize = 1 })
    local id = r.json.id
    r = call("DELETE", "/_api/cursor/" .. id)
    assert.are.equal(202, r.status)
    assert.are.equal(id, r.json.id)
    expect_error(call("PUT", "/_api/cursor/" .. id), 404, 1600)
    expect_error(call("DELETE", "/_api/cursor/" .. id), 404, 1600)
  end)

  it("expires idle cursors after their ttl", function()
    local r = post("/_api/cursor", { query = "FOR i IN 1..5 RETURN i", batchSize = 1, ttl = 0.2 })
    local id = r.json.id
    local waited = false
    local t = require("luv").new_timer()
    t:start(500, 0, function() waited = true end)
    ds.wait(function() return waited end, 5)
    t:close()
    expect_error(call("PUT", "/_api/cursor/" .. id), 404, 1600)
  end)

  it("reports fullCount in extra.stats", function()
    local r = post("/_api/cursor", { query = "FOR i IN 1..100 FILTER i % 2 == 0 LIMIT 3 RETURN i",
      options = { fullCount = true } })
    assert.are.same({ 2, 4, 6 }, r.json.result)
    assert.are.equal(50, r.json.extra.stats.fullCount)
  end)

  it("runs data-modification queries and reports write statistics", function()
    assert.are.equal(200, post("/_api/collection", { name = "products" }).status)
    local r = post("/_api/cursor", {
      query = "FOR i IN 1..3 INSERT {_key: CONCAT('k', i), arr: [i]} INTO @@c RETURN NEW._key",
      bindVars = { ["@c"] = "products" } })
    assert.are.equal(201, r.status)
    assert.are.same({ "k1", "k2", "k3" }, r.json.result)
    assert.are.equal(3, r.json.extra.stats.writesExecuted)
    r = post("/_api/cursor", { query = "FOR doc IN products FILTER doc._key == @k "
      .. "UPDATE doc._key WITH { arr: PUSH(doc.arr, @v) } IN products RETURN NEW.arr",
      bindVars = { k = "k1", v = 42 } })
    assert.are.same({ { 1, 42 } }, r.json.result)
    assert.are.equal(1, r.json.extra.stats.scannedIndex)
    r = post("/_api/cursor", { query = "REMOVE 'bar' IN products OPTIONS { ignoreErrors: true }" })
    assert.are.equal(1, r.json.extra.stats.writesIgnored)
    r = post("/_api/cursor", { query = "REMOVE 'foo' IN products" })
    expect_error(r, 404, 1202)
    assert.are.equal("AQL: document not found [node #3: RemoveNode] (while executing)", r.json.errorMessage)
  end)

  it("reports query errors like ArangoDB", function()
    expect_error(call("POST", "/_api/cursor"), 400, 1502)
    expect_error(post("/_api/cursor", { query = "FOR x IN" }), 400, 1501)
    expect_error(post("/_api/cursor", { query = "FOR x IN nowhere RETURN x" }), 404, 1203)
    expect_error(post("/_api/cursor", { query = "RETURN @x" }), 400, 1551)
    expect_error(post("/_api/cursor", { query = "RETURN 1", bindVars = { y = 1 } }), 400, 1552)
    expect_error(post("/_api/cursor", { query = "RETURN NOPE()" }), 400, 1540)
    expect_error(post("/_api/cursor", { query = "RETURN 1", batchSize = 0 }), 400, 10)
    expect_error(call("PUT", "/_api/cursor"), 400, 400)
    expect_error(call("PUT", "/_api/cursor/123123"), 404, 1600)
    expect_error(post("/_api/cursor", { query = "RETURN LENGTH(1..100000)", memoryLimit = 10000 }), 400, 32)
    local r = post("/_api/cursor", { query = "RETURN 1 / 0" })
    assert.are.equal(201, r.status)
    assert.are.equal(1562, r.json.extra.warnings[1].code)
  end)

  it("lists streaming queries as running and kills them", function()
    local r = post("/_api/cursor", { query = "FOR i IN 1..10 RETURN i", batchSize = 2,
      options = { stream = true } })
    assert.are.equal(201, r.status)
    local cursor_id = r.json.id
    local cur = call("GET", "/_api/query/current")
    assert.are.equal(200, cur.status)
    local entry
    for _, e in ipairs(cur.json) do
      if e.query == "FOR i IN 1..10 RETURN i" then entry = e end
    end
    assert.is_table(entry)
    assert.is_true(entry.stream)
    assert.are.equal(200, call("DELETE", "/_api/query/" .. entry.id).status)
    expect_error(call("PUT", "/_api/cursor/" .. cursor_id), 410, 1500)
    expect_error(call("DELETE", "/_api/query/999999999"), 404, 1591)
  end)

  -- The queries below would run for minutes (or forever): they end only because they are killed,
  -- and the server answers the other connection meanwhile because queries yield to its loop.
  local function running_entry(text)
    for _ = 1, 200 do
      local cur = call("GET", "/_api/query/current")
      assert.are.equal(200, cur.status)
      for _, e in ipairs(cur.json) do
        if e.query == text then return e end
      end
    end
    error("query never showed up in /_api/query/current: " .. text)
  end

  it("lists a long-running query from another connection and kills it", function()
    local text = "FOR i IN 1..1000000000 FILTER i < 0 RETURN i /* endless */"
    local running = ds.connect(srv.url)
    running:send(ds.render("POST", "/_api/cursor", { body = { query = text, bindVars = {} } }))
    local entry = running_entry(text)
    assert.are.equal("executing", entry.state)
    assert.is_false(entry.stream)
    assert.is_string(entry.id)
    assert.are.same({}, entry.bindVars)
    assert.is_number(entry.runTime)
    -- the server keeps serving everything else while the query runs
    assert.are.equal(200, call("GET", "/_api/version").status)
    assert.are.equal(200, post("/_api/collection", { name = "meanwhile" }).status)
    assert.are.equal(202, post("/_api/document/meanwhile", { _key = "k", v = 1 }).status)
    assert.are.equal(1, call("GET", "/_api/document/meanwhile/k").json.v)
    assert.are.equal(200, call("DELETE", "/_api/query/" .. entry.id).status)
    local res = assert(running:read(false, 20))
    running:close()
    res.json = json.decode(res.body)
    expect_error(res, 410, 1500)
    assert.matches("query killed", res.json.errorMessage, 1, true)
    for _, e in ipairs(call("GET", "/_api/query/current").json) do assert.are_not.equal(text, e.query) end
    expect_error(call("DELETE", "/_api/query/" .. entry.id), 404, 1591)
    expect_error(call("DELETE", "/_api/query/123456789012"), 404, 1591)
  end)

  it("kills a query waiting in SLEEP and shows its bind values", function()
    local text = "FOR i IN 1..@n RETURN SLEEP(@s)"
    local running = ds.connect(srv.url)
    running:send(ds.render("POST", "/_api/cursor",
      { body = { query = text, bindVars = { n = 5, s = 1000 } } }))
    local entry = running_entry(text)
    assert.are.same({ n = 5, s = 1000 }, entry.bindVars)
    assert.are.equal(200, call("GET", "/_api/version").status)
    assert.are.equal(200, call("DELETE", "/_api/query/" .. entry.id).status)
    local res = assert(running:read(false, 20))
    running:close()
    res.json = json.decode(res.body)
    expect_error(res, 410, 1500)
  end)

  it("stops queries past their maxRuntime with the killed error", function()
    expect_error(post("/_api/cursor", { query = "RETURN SLEEP(1000)", options = { maxRuntime = 0.2 } }),
      410, 1500)
    expect_error(post("/_api/cursor", { query = "FOR i IN 1..1000000000 FILTER i < 0 RETURN i",
      options = { maxRuntime = 0.2 } }), 410, 1500)
    local r = post("/_api/cursor", { query = "FOR i IN 1..10 LET s = SLEEP(0) RETURN i",
      options = { maxRuntime = 100 } })
    assert.are.equal(201, r.status)
    assert.are.equal(10, #r.json.result)
  end)

  it("produces a streaming query's batches on demand", function()
    -- a billion rows: only what is fetched is ever computed
    local text = "FOR i IN 1..1000000000 RETURN i /* lazy */"
    local r = post("/_api/cursor", { query = text, batchSize = 3, count = true, options = { stream = true } })
    assert.are.equal(201, r.status)
    assert.are.same({ 1, 2, 3 }, r.json.result)
    assert.is_true(r.json.hasMore)
    assert.is_nil(r.json.count)   -- a streaming query does not know its count
    local id = r.json.id
    r = call("PUT", "/_api/cursor/" .. id)
    assert.are.same({ 4, 5, 6 }, r.json.result)
    assert.are.equal("executing", running_entry(text).state)
    assert.are.equal(202, call("DELETE", "/_api/cursor/" .. id).status)
    for _, e in ipairs(call("GET", "/_api/query/current").json) do assert.are_not.equal(text, e.query) end
  end)

  it("reports a streaming query's statistics and fullCount with its last batch", function()
    local r = post("/_api/cursor", { query = "FOR i IN 1..10 FILTER i % 2 == 0 LIMIT 3 RETURN i",
      batchSize = 2, options = { stream = true, fullCount = true } })
    assert.are.same({ 2, 4 }, r.json.result)
    assert.is_true(r.json.hasMore)
    r = call("PUT", "/_api/cursor/" .. r.json.id)
    assert.are.same({ 6 }, r.json.result)
    assert.is_false(r.json.hasMore)
    assert.are.equal(5, r.json.extra.stats.fullCount)
    assert.is_table(r.json.extra.warnings)
  end)

  it("fails a streaming fetch with the query's runtime error and drops the cursor", function()
    local r = post("/_api/cursor", { query = "FOR i IN 1..10 RETURN i < 4 ? i : FAIL('too far')",
      batchSize = 2, options = { stream = true } })
    assert.are.same({ 1, 2 }, r.json.result)
    assert.is_true(r.json.hasMore)
    local id = r.json.id
    local bad = call("PUT", "/_api/cursor/" .. id)
    expect_error(bad, 400, 1569)
    expect_error(call("PUT", "/_api/cursor/" .. id), 404, 1600)
  end)

  it("streams 100,000 rows in batches while the server answers other requests", function()
    local r = post("/_api/cursor", { query = "FOR i IN 1..100000 RETURN { i, s: CONCAT('row', i) }",
      batchSize = 5000, options = { stream = true } })
    assert.are.equal(201, r.status)
    local n, batches, in_order = 0, 0, true
    local id = r.json.id
    while true do
      batches = batches + 1
      for _, row in ipairs(r.json.result) do
        n = n + 1
        if row.i ~= n or row.s ~= "row" .. n then in_order = false end
      end
      if not r.json.hasMore then break end
      -- another connection is served between two batches of the open stream
      assert.are.equal(200, call("GET", "/_api/version").status)
      r = call("PUT", "/_api/cursor/" .. id)
      assert.are.equal(200, r.status)
    end
    assert.are.equal(100000, n)
    assert.are.equal(20, batches)
    assert.is_true(in_order)
    expect_error(call("PUT", "/_api/cursor/" .. id), 404, 1600)
  end)

  it("manages query tracking properties and slow queries", function()
    local r = call("PUT", "/_api/query/properties", { body = { slowQueryThreshold = 0 } })
    assert.are.equal(200, r.status)
    assert.are.equal(0, r.json.slowQueryThreshold)
    post("/_api/cursor", { query = "RETURN 'slow one'" })
    r = call("GET", "/_api/query/slow")
    local found = false
    for _, e in ipairs(r.json) do if e.query == "RETURN 'slow one'" then found = true end end
    assert.is_true(found)
    assert.are.equal(200, call("DELETE", "/_api/query/slow").status)
    assert.are.same({}, call("GET", "/_api/query/slow").json)
    call("PUT", "/_api/query/properties", { body = { slowQueryThreshold = 10 } })
    expect_error(call("PUT", "/_api/query/properties", { body = { enabled = "yes" } }), 400, 10)
  end)

  it("caches results on demand and invalidates them on writes", function()
    local r = call("PUT", "/_api/query-cache/properties", { body = { mode = "demand", maxResults = 32 } })
    assert.are.equal("demand", r.json.mode)
    post("/_api/collection", { name = "cached" })
    local q = { query = "FOR d IN cached RETURN d.v", cache = true }
    assert.is_false(post("/_api/cursor", q).json.cached)
    r = post("/_api/cursor", q)
    assert.is_true(r.json.cached)
    assert.are.equal(1, #call("GET", "/_api/query-cache/entries").json)
    post("/_api/cursor", { query = "INSERT {v: 1} INTO cached" })
    r = post("/_api/cursor", q)
    assert.is_false(r.json.cached)
    assert.are.same({ 1 }, r.json.result)
    assert.are.equal(200, call("DELETE", "/_api/query-cache").status)
    assert.are.same({}, call("GET", "/_api/query-cache/entries").json)
    call("PUT", "/_api/query-cache/properties", { body = { mode = "off" } })
  end)

  it("explains and parses queries", function()
    local r = post("/_api/explain", { query = "FOR i IN 1..10 FILTER i > 2 LIMIT 2 RETURN i" })
    assert.are.equal(200, r.status)
    local plan = r.json.plan
    assert.are.equal("SingletonNode", plan.nodes[1].type)
    assert.are.equal("ReturnNode", plan.nodes[#plan.nodes].type)
    assert.is_table(plan.rules)
    assert.is_number(plan.estimatedCost)
    assert.is_table(plan.variables)
    expect_error(post("/_api/explain", { query = "FOR p IN products FILTER p.id == @id RETURN p" }),
      400, 1551)
    r = post("/_api/query", { query = "FOR i IN 1..100 FILTER i > 10 LIMIT 2 RETURN i * 3" })
    assert.are.equal(200, r.status)
    assert.is_true(r.json.parsed)
    assert.are.equal("root", r.json.ast[1].type)
    assert.are.equal("for", r.json.ast[1].subNodes[1].type)
    expect_error(post("/_api/query", { query = "FOR i IN" }), 400, 1501)
    assert.is_true(#call("GET", "/_api/query/rules").json > 0)
  end)

  it("serves equality FILTERs from unique and non-unique indexes and says so in the plan", function()
    assert.are.equal(200, post("/_api/collection", { name = "accounts" }).status)
    local r = post("/_api/index?collection=accounts",
      { type = "persistent", fields = { "email" }, unique = true, sparse = true })
    assert.are.equal(201, r.status)
    local index_id = r.json.id
    assert.are.equal(201,
      post("/_api/index?collection=accounts", { type = "hash", fields = { "city" } }).status)
    for i = 1, 40 do
      post("/_api/document/accounts", { _key = "a" .. i, email = i <= 30 and ("u" .. i .. "@x") or nil,
        city = "c" .. (i % 4) })
    end
    local q = "FOR a IN accounts FILTER a.email == @e RETURN a._key"
    r = post("/_api/cursor", { query = q, bindVars = { e = "u7@x" } })
    assert.are.same({ "a7" }, r.json.result)
    assert.are.equal(1, r.json.extra.stats.scannedIndex)
    assert.are.equal(0, r.json.extra.stats.scannedFull)
    r = post("/_api/cursor", { query = q, bindVars = { e = "nobody" } })
    assert.are.same({}, r.json.result)
    assert.are.equal(0, r.json.extra.stats.scannedFull)
    -- a sparse index has no entry for null: those documents come from a scan
    r = post("/_api/cursor", { query = q, bindVars = { e = json.null } })
    assert.are.equal(10, #r.json.result)
    assert.are.equal(40, r.json.extra.stats.scannedFull)
    -- the plan shows the index the query used and the rule
    r = post("/_api/explain", { query = q, bindVars = { e = "u7@x" } })
    assert.are.equal(200, r.status)
    assert.are.same({ "use-indexes" }, r.json.plan.rules)
    local node = r.json.plan.nodes[2]
    assert.are.equal("IndexNode", node.type)
    assert.are.equal("accounts", node.collection)
    assert.are.equal(index_id, node.indexes[1].id)
    assert.are.same({ "email" }, node.indexes[1].fields)
    r = post("/_api/explain", { query = "FOR a IN accounts FILTER a._key == 'a1' RETURN a" })
    assert.are.equal("primary", r.json.plan.nodes[2].indexes[1].type)
    -- a non-unique (hash) index serves equality too
    r = post("/_api/explain", { query = "FOR a IN accounts FILTER a.city == 'c1' RETURN a" })
    assert.are.equal("IndexNode", r.json.plan.nodes[2].type)
    assert.are.same({ "persistent", false }, { r.json.plan.nodes[2].indexes[1].type,
      r.json.plan.nodes[2].indexes[1].unique })
    r = post("/_api/cursor", { query = "FOR a IN accounts FILTER a.city == 'c1' RETURN a._key" })
    assert.are.equal(10, #r.json.result)
    assert.are.same({ 0, 10 }, { r.json.extra.stats.scannedFull, r.json.extra.stats.scannedIndex })
    -- no usable index: a scan, and no rule
    r = post("/_api/explain", { query = "FOR a IN accounts FILTER a.zip == 'c1' RETURN a" })
    assert.are.equal("EnumerateCollectionNode", r.json.plan.nodes[2].type)
    assert.are.same({}, r.json.plan.rules)
    -- after the index is dropped the same query scans and still answers
    assert.are.equal(200, call("DELETE", "/_api/index/" .. index_id).status)
    r = post("/_api/cursor", { query = q, bindVars = { e = "u7@x" } })
    assert.are.same({ "a7" }, r.json.result)
    assert.are.equal(40, r.json.extra.stats.scannedFull)
  end)

  it("stores AQL user functions but refuses to run their JavaScript", function()
    local r = post("/_api/aqlfunction", { name = "myfunctions::temperature::celsius",
      code = "function (c) { return c * 1.8 + 32; }", isDeterministic = true })
    assert.are.equal(201, r.status)
    assert.is_true(r.json.isNewlyCreated)
    r = post("/_api/aqlfunction", { name = "myfunctions::other", code = "function () { return 1; }" })
    assert.are.equal(201, r.status)
    r = call("GET", "/_api/aqlfunction?namespace=myfunctions::temperature")
    assert.are.equal(1, #r.json.result)
    assert.are.equal("myfunctions::temperature::celsius", r.json.result[1].name)
    expect_error(post("/_api/cursor", { query = "RETURN myfunctions::other()" }), 400, 1583)
    expect_error(post("/_api/cursor", { query = "RETURN myfunctions::missing()" }), 404, 1582)
    expect_error(post("/_api/aqlfunction", { name = "nonamespace", code = "function () {}" }), 400, 1580)
    r = call("DELETE", "/_api/aqlfunction/myfunctions?group=true")
    assert.are.equal(200, r.status)
    assert.are.equal(2, r.json.deletedCount)
    expect_error(call("DELETE", "/_api/aqlfunction/myfunctions::x::y"), 404, 1582)
    assert.are.same({}, call("GET", "/_api/aqlfunction").json.result)
  end)

  it("keeps bind values exact through JSON", function()
    local r = post("/_api/cursor", { query = "RETURN [@a, @b]",
      bindVars = { a = 9007199254740993, b = 0.1 } })
    assert.are.equal(201, r.status)
    assert.matches("9007199254740993", r.body, 1, true)
    assert.are.same({ 9007199254740993, 0.1 }, json.decode(r.body).result[1])
  end)
end)
