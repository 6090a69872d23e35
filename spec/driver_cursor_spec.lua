-- Cursors against a live server: batches, every cursor method, expiry, allowRetry recovery
-- through a connection-cutting proxy, constant client memory on a long stream, coroutines.
local driver = require "spec.support.driver"
local tcp_proxy = require "spec.support.tcp_proxy"
local coroutines = require "spec.support.coroutines"
local errors = require "arango.errors"
local uv = require "luv"

-- Turns the luv loop for `ms` milliseconds (a wait, not a measurement).
local function wait_on_loop(ms)
  local done = false
  local timer = uv.new_timer()
  timer:start(ms, 0, function()
    done = true
    timer:close()
  end)
  while not done do uv.run("once") end
end

-- Runs fns as coroutines on the luv loop. Returns their results and whether every one of them
-- was still suspended (waiting for I/O) after all had been started.
local function run_concurrently(fns)
  local results, suspended = coroutines.run(fns, 60)
  return results, suspended == #fns
end

local function collect(cursor)
  local out = {}
  for v in cursor do out[#out + 1] = v end
  return out
end

local function range(a, b)
  local out = {}
  for i = a, b do out[#out + 1] = i end
  return out
end

local function count_matching(list, pattern)
  local n = 0
  for _, line in ipairs(list) do if line:find(pattern) then n = n + 1 end end
  return n
end

describe("driver cursors", function()
  local env, db, db_name
  setup(function()
    env = driver.acquire()
    db, db_name = driver.scratch_db("cursorspec")
    local docs = {}
    for i = 1, 50 do docs[i] = { _key = "s" .. i, n = i, age = 15 + i % 10 } end
    db:create_collection("students"):insert_many(docs)
  end)
  teardown(function()
    driver.drop_db(db_name)
    driver.release()
  end)

  it("iterates across many batches in order", function()
    local cursor = db.aql:execute("FOR i IN 1..2500 RETURN i", { batch_size = 100, count = true })
    assert.equal(2500, cursor:count())
    local seen, batches, last_len = 0, 1, #cursor:batch()
    assert.equal(100, last_len)
    local in_order = true
    while true do
      local v = cursor:next()
      if v == nil then break end
      seen = seen + 1
      if v ~= seen then in_order = false end
      if cursor:empty() and cursor:has_more() then
        batches = batches + 1
        assert.equal(100, #cursor:fetch().batch)
      end
    end
    assert.is_true(in_order)
    assert.equal(2500, seen)
    assert.equal(25, batches)
    assert.is_false(cursor:has_more())
  end)

  it("offers every cursor method", function()
    local cursor = db.aql:execute("FOR s IN students FILTER s.n > @min SORT s.n RETURN s.n",
      { bind_vars = { min = 40 }, batch_size = 4, count = true, full_count = false })
    -- id, count, has_more, cached, batch, empty
    assert.equal("string", type(cursor:id()))
    assert.equal(10, cursor:count())
    assert.is_true(cursor:has_more())
    assert.is_false(cursor:cached())
    assert.same({ 41, 42, 43, 44 }, cursor:batch())
    assert.is_false(cursor:empty())
    -- statistics, warnings, profile (none asked for)
    assert.equal(0, cursor:statistics().writesExecuted)
    assert.same({}, cursor:warnings())
    assert.is_nil(cursor:profile())
    -- pop takes from the current batch only
    assert.equal(41, cursor:pop())
    assert.equal(42, cursor:next())
    assert.equal(43, cursor:pop())
    assert.equal(44, cursor:pop())
    assert.is_true(cursor:empty())
    local err = driver.raises(cursor.pop, cursor)
    assert.truthy(err:is(errors.CursorEmptyError))
    -- next fetches when the batch is empty
    assert.equal(45, cursor:next())
    assert.same({ 46, 47, 48 }, cursor:batch())
    -- fetch appends the next batch to what is left of the current one
    local f = cursor:fetch()
    assert.same({ 46, 47, 48, 49, 50 }, f.batch)
    assert.is_false(f.has_more)
    assert.equal(10, f.count)
    assert.same({ 46, 47, 48, 49, 50 }, collect(cursor))
    assert.is_nil(cursor:next())
    err = driver.raises(cursor.fetch, cursor)
    assert.truthy(err:is(errors.CursorStateError))
    assert.matches("exhausted", err.message)
    -- a retriable cursor is released on the server after its last batch: nothing left to close
    assert.is_nil(cursor:close())
    assert.matches("^Cursor%(", tostring(cursor))
  end)

  it("closes a cursor early and refuses to use it afterwards", function()
    local cursor = db.aql:execute("FOR i IN 1..20 RETURN i", { batch_size = 5, allow_retry = false })
    local id = cursor:id()
    assert.is_true(cursor:close())
    assert.is_false(cursor:close{ ignore_missing = true })
    local err = driver.raises(cursor.close, cursor)
    assert.truthy(err:is(errors.CursorCloseError))
    assert.equal(404, err.http_code)
    assert.equal(1600, err.error_code)
    assert.matches("closed", driver.raises(cursor.fetch, cursor).message)
    assert.truthy(driver.raises(cursor.close, cursor, { bogus = true }):is(errors.ArangoOptionError))
    -- the five items of the first batch were already here
    assert.same(range(1, 5), collect(cursor))
    -- the id is really gone on the server
    local resp = db:request{ method = "POST", endpoint = "/_api/cursor/" .. id }
    assert.equal(404, resp.status_code)
  end)

  it("has no id when every result fits in the first batch", function()
    local cursor = db.aql:execute("FOR i IN 1..3 RETURN i", { batch_size = 10 })
    assert.is_false(cursor:has_more())
    assert.same({ 1, 2, 3 }, collect(cursor))
    assert.is_nil(cursor:close())
    local err = driver.raises(cursor.fetch, cursor)
    assert.truthy(err:is(errors.CursorStateError))
  end)

  it("reports statistics, profile and warnings of the query", function()
    local cursor = db.aql:execute("FOR s IN students LIMIT 3 RETURN 1 / (s.n - s.n)",
      { full_count = true, profile = 2, batch_size = 2 })
    assert.equal(50, cursor:statistics().fullCount)
    assert.equal("table", type(cursor:profile()))
    assert.equal("number", type(cursor:profile().executing))
    assert.equal("table", type(cursor:plan()))
    local w = cursor:warnings()
    assert.equal(1562, w[1].code)
    assert.equal(3, #collect(cursor))
  end)

  it("surfaces an expired cursor as CursorNextError 1600 with a clear message", function()
    local cursor = db.aql:execute("FOR i IN 1..10 RETURN i", { batch_size = 2, ttl = 1 })
    assert.same({ 1, 2 }, { cursor:next(), cursor:next() })
    wait_on_loop(2000)
    local ok, err = pcall(function() return collect(cursor) end)
    assert.is_false(ok)
    assert.truthy(errors.is(err, errors.CursorNextError))
    assert.equal(404, err.http_code)
    assert.equal(1600, err.error_code)
    assert.matches("expired", err.message)
    assert.matches("ttl of 1 s", err.message)
    assert.matches("^CursorNextError: %[HTTP 404%]%[ERR 1600%]", tostring(err))
  end)

  it("kills a running streaming query", function()
    local text = "FOR i IN 1..1000 RETURN i /* kill me */"
    local cursor = db.aql:execute(text, { stream = true, batch_size = 10 })
    local id
    for _, q in ipairs(db.aql:queries()) do
      if q.query == text then id = q.id end
    end
    assert.is_not_nil(id)
    assert.is_true(db.aql:kill(id))
    local ok, err = pcall(collect, cursor)
    assert.is_false(ok)
    assert.truthy(errors.is(err, errors.CursorNextError))
    assert.equal(1500, err.error_code)
    for _, q in ipairs(db.aql:queries()) do assert.is_not.equal(text, q.query) end
  end)

  describe("allowRetry through a connection-cutting proxy", function()
    local proxy, pdb
    before_each(function()
      proxy = tcp_proxy.start{ target = env.url }
      pdb = driver.db(db_name, { client = driver.client{ hosts = proxy.url } })
    end)
    after_each(function() proxy:stop() end)

    local FETCH = "^POST /_db/[^/]+/_api/cursor/%d+/%d+$"

    it("retries a batch whose response was cut mid-way, with the same batch id", function()
      local cursor = pdb.aql:execute("FOR i IN 1..50 RETURN i", { batch_size = 10 })
      local got = { cursor:next() }
      for _ = 2, 10 do got[#got + 1] = cursor:next() end   -- the first batch, all of it
      proxy:cut_after_response_bytes(40, FETCH)
      for v in cursor do got[#got + 1] = v end
      assert.same(range(1, 50), got)                         -- no gap, no duplicate
      assert.equal(1, #proxy.cut)
      assert.matches("/2$", proxy.cut[1])                    -- batch 2 was cut ...
      assert.equal(2, count_matching(proxy.requests, "^" .. proxy.cut[1]:gsub("%p", "%%%0") .. "$"))
      assert.equal(0, #proxy.errors)
    end)

    it("retries a batch the server served but the client never saw", function()
      local cursor = pdb.aql:execute("FOR i IN 1..30 RETURN i", { batch_size = 10 })
      proxy:cut_after_response_bytes(0, FETCH)
      assert.same(range(1, 30), collect(cursor))
      assert.equal(1, #proxy.cut)
      local cut_line = proxy.cut[1]:gsub("%p", "%%%0")
      assert.equal(2, count_matching(proxy.requests, "^" .. cut_line .. "$"))
    end)

    it("resends a fetch that never reached the server", function()
      local cursor = pdb.aql:execute("FOR i IN 1..30 RETURN i", { batch_size = 10 })
      proxy:cut_on_request(FETCH)
      assert.same(range(1, 30), collect(cursor))
      assert.equal(1, #proxy.cut)
    end)

    it("raises the transport error when allow_retry is off", function()
      local cursor = pdb.aql:execute("FOR i IN 1..30 RETURN i", { batch_size = 10, allow_retry = false })
      proxy:cut_after_response_bytes(40, "^POST /_db/[^/]+/_api/cursor/%d+$")
      local ok, err = pcall(collect, cursor)
      assert.is_false(ok)
      assert.truthy(errors.is(err, errors.ArangoConnectionError))
      assert.equal("reset", err.kind)
      assert.equal(1, #proxy.cut)
    end)
  end)

  it("streams 100,000 rows in constant client memory", function()
    -- Each row carries a distinct ~300-byte string: keeping the rows would cost well over
    -- 40 MB, so the bound below fails if the cursor held on to old batches.
    local pad = string.rep("x", 300)
    local cursor = db.aql:execute("FOR i IN 1..100000 RETURN { i: i, s: CONCAT(@pad, i) }",
      { bind_vars = { pad = pad }, batch_size = 1000, stream = true })
    collectgarbage("collect")
    local base = collectgarbage("count")
    local n, in_order, max_growth, batches = 0, true, 0, 0
    for row in cursor do
      n = n + 1
      if row.i ~= n or #row.s ~= 300 + #tostring(n) then in_order = false end
      if n % 1000 == 0 then batches = batches + 1 end
      if n % 10000 == 0 then
        collectgarbage("collect")
        local growth = collectgarbage("count") - base
        if growth > max_growth then max_growth = growth end
      end
    end
    assert.equal(100000, n)
    assert.equal(100, batches)
    assert.is_true(in_order)
    assert.is_true(max_growth < 20 * 1024, string.format("client memory grew by %.1f MB", max_growth / 1024))
  end)

  it("iterates several cursors concurrently in coroutines", function()
    local fns = {}
    for k = 1, 3 do
      fns[k] = function()
        local cursor = db.aql:execute("FOR i IN @from..@to RETURN i",
          { bind_vars = { from = k * 1000, to = k * 1000 + 99 }, batch_size = 7 })
        return collect(cursor)
      end
    end
    local results, all_in_flight = run_concurrently(fns)
    assert.is_true(all_in_flight)
    for k = 1, 3 do
      assert.is_true(results[k].ok, tostring(results[k].value))
      assert.same(range(k * 1000, k * 1000 + 99), results[k].value)
    end
  end)
end)
