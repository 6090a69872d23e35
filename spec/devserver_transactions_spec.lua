-- Transactions of the devserver's store: an AQL query and a multi-document request are one
-- unit. A query that fails, is killed or runs past its maxRuntime leaves nothing behind
-- (documents, revisions, index entries); a request's writes reach the log as one unit, so a
-- kill -9 keeps all or none of them; a torn unit at the end of the log is ignored.
local json = require "arango.json"
local uv = require "luv"
local ds = require "spec.support.devserver"
local store = require "arango.devserver.store"
local aql = require "arango.devserver.aql"

local function tmpdir()
  local p = os.tmpname()
  os.remove(p)
  return p .. "_trx"
end

local function rmtree(dir) os.execute("rm -rf '" .. dir .. "'") end

local function read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

-- key -> _rev of every document, plus the keys in iteration order
local function snapshot(col)
  local revs, order = {}, {}
  for d in col:iterate() do
    revs[d._key] = d._rev
    order[#order + 1] = d._key
  end
  return { revs = revs, order = order, count = col:count() }
end

local function fails(num, fn, ...)
  local ok, e = pcall(fn, ...)
  assert.is_false(ok)
  assert.are.equal(num, e.num, tostring(e))
  return e
end

describe("devserver transactions (store and AQL)", function()
  local s, db, c

  before_each(function()
    s = store.new{ sweep = false }
    db = s:database("_system")
    c = db:create_collection("c")
    c:ensure_index{ type = "persistent", fields = { "u" }, unique = true, sparse = true }
  end)
  after_each(function() s:close() end)

  it("rolls back a query that fails half-way, index entries included", function()
    c:insert{ _key = "old", u = 100 }
    local before = snapshot(c)
    local e = fails(1210, aql.query, db, "FOR i IN [1,2,1] INSERT {_key: TO_STRING(i), u: i} INTO c")
    assert.are.equal(409, e.status)
    assert.are.same(before, snapshot(c))
    assert.is_nil(c:get("1"))
    -- the unique values and keys the failed query used are free again
    assert.are.equal("created", select(2, c:insert{ _key = "1", u = 1 }))
    assert.are.equal("created", select(2, c:insert{ _key = "2", u = 2 }))
  end)

  it("restores the exact old revisions after UPDATE, REPLACE, REMOVE and UPSERT fail", function()
    for _, k in ipairs{ "a", "b", "d" } do c:insert{ _key = k, u = k, v = 1 } end
    local docs = { a = c:get("a"), b = c:get("b"), d = c:get("d") }
    local before = snapshot(c)
    local queries = {
      { 1202, "FOR k IN ['a', 'b', 'nope'] UPDATE k WITH {v: 2, u: CONCAT(k, 'x')} IN c" },
      { 1202, "FOR k IN ['a', 'b', 'nope'] REPLACE k WITH {w: 3} IN c" },
      { 1202, "FOR k IN ['a', 'd', 'nope'] REMOVE k IN c" },
      { 1221, "FOR k IN ['a', 'n1', 'bad key'] UPSERT {_key: k} INSERT {_key: k} UPDATE {y: 1} IN c" },
      { 1210, "FOR k IN ['a', 'b'] UPDATE k WITH {u: 'd'} IN c" },
    }
    for _, q in ipairs(queries) do
      fails(q[1], aql.query, db, q[2])
      assert.are.same(before, snapshot(c))
      for k, d in pairs(docs) do assert.are.equal(d, c:get(k)) end
    end
    -- index entries point at the restored documents
    assert.are.equal(1210, select(2, pcall(c.insert, c, { u = "a" })).num)
    local r = aql.query(db, "FOR d IN c FILTER d.u == 'b' RETURN d._key")
    assert.are.same({ "b" }, r.result)
  end)

  it("keeps the good writes with ignoreErrors", function()
    local r = aql.query(db,
      "FOR i IN [1,2,1] INSERT {_key: TO_STRING(i)} INTO c OPTIONS {ignoreErrors: true}")
    assert.are.same({ 2, 1 }, { r.stats.writesExecuted, r.stats.writesIgnored })
    assert.are.equal(2, c:count())
  end)

  it("rolls back a query past its maxRuntime", function()
    fails(1500, aql.query, db,
      "FOR i IN 1..5 LET s = SLEEP(0.05) INSERT {_key: TO_STRING(i)} INTO c", nil, { maxRuntime = 0.12 })
    assert.are.equal(0, c:count())
  end)

  it("rolls back a streaming query that fails or is given up", function()
    local cur = aql.open(db, "FOR i IN [1,2,3,1] INSERT {_key: TO_STRING(i)} INTO c RETURN NEW._key")
    assert.are.equal(1210, select(2, pcall(cur.fetch, 10)).num)
    assert.are.equal(0, c:count())
    cur = aql.open(db, "FOR i IN 1..10 INSERT {_key: TO_STRING(i)} INTO c RETURN NEW._key")
    local batch, more = cur.fetch(2)
    assert.are.same({ "1", "2" }, batch)
    assert.is_true(more)
    cur.close()
    assert.are.equal(0, c:count())
  end)

  it("lets a transaction read its own writes and undoes them in reverse order", function()
    c:insert{ _key = "x", u = 1 }
    local old_x = c:get("x")
    local trx = s:begin()
    c:insert({ _key = "y", u = 2 }, { trx = trx })
    c:update("x", { u = 3 }, { trx = trx })
    c:update("x", { u = 4 }, { trx = trx })
    c:remove("y", { trx = trx })
    c:insert({ _key = "y", u = 1 }, { trx = trx })
    assert.are.equal(4, c:get("x").u)
    assert.are.equal(1, c:get("y").u)
    trx:abort()
    assert.are.equal(old_x, c:get("x"))
    assert.is_nil(c:get("y"))
    assert.are.equal(1210, select(2, pcall(c.insert, c, { u = 1 })).num)
    assert.are.equal("created", select(2, c:insert{ u = 2 }))
    assert.are.equal("created", select(2, c:insert{ u = 4 }))
  end)

  it("locks what a running transaction wrote against other writers", function()
    c:insert{ _key = "x", u = 1 }
    local trx = s:begin()
    c:update("x", { u = 2 }, { trx = trx })
    c:insert({ _key = "n" }, { trx = trx })
    fails(1200, c.update, c, "x", { v = 1 })
    fails(1200, c.remove, c, "n")
    fails(1200, c.truncate, c)
    -- the value 1 is reserved: the transaction may still roll back to it
    fails(1200, c.insert, c, { u = 1 })
    trx:abort()
    assert.are.equal(1, c:get("x").u)
    assert.are.equal("updated", select(2, c:update("x", { v = 1 })))
    trx = s:begin()
    c:update("x", { u = 5 }, { trx = trx })
    trx:commit()
    assert.are.equal("created", select(2, c:insert{ u = 1 }))
    fails(1653, c.insert, c, { u = 9 }, { trx = trx })
  end)

  it("rolls back a truncate with the index entries", function()
    for i = 1, 5 do c:insert{ _key = "k" .. i, u = i } end
    local before = snapshot(c)
    local ok = pcall(s.run_in_transaction, s, function(trx)
      c:truncate({ trx = trx })
      c:insert({ _key = "k1", u = 1 }, { trx = trx })
      error("give up")
    end)
    assert.is_false(ok)
    assert.are.same(before, snapshot(c))
    assert.are.equal(1210, select(2, pcall(c.insert, c, { u = 3 })).num)
  end)
end)

describe("devserver transactions (log)", function()
  local dir
  before_each(function() dir = tmpdir() end)
  after_each(function() rmtree(dir) end)

  it("logs a committed transaction as one unit and an aborted one not at all", function()
    local s = store.new{ data_dir = dir, sweep = false }
    local c = s:database("_system"):create_collection("c")
    s:run_in_transaction(function(trx)
      for i = 1, 3 do c:insert({ _key = "k" .. i }, { trx = trx }) end
      c:remove("k2", { trx = trx })
    end)
    local trx = s:begin()
    c:insert({ _key = "gone" }, { trx = trx })
    trx:abort()
    aql.query(s:database("_system"), "FOR i IN 1..3 INSERT {_key: CONCAT('q', i)} INTO c")
    pcall(aql.query, s:database("_system"), "FOR i IN [1, 1] INSERT {_key: CONCAT('f', i)} INTO c")
    s:close()
    local units = 0
    for line in read(dir .. "/wal.jsonl"):gmatch("[^\n]+") do
      local rec = json.decode(line)
      assert.are_not.equal("put", rec.op)
      if rec.op == "trx" then units = units + 1 end
    end
    assert.are.equal(2, units)
    local s2 = store.new{ data_dir = dir, sweep = false }
    local c2 = s2:database("_system"):collection("c")
    local keys = {}
    for d in c2:iterate() do keys[#keys + 1] = d._key end
    assert.are.same({ "k1", "k3", "q1", "q2", "q3" }, keys)
    s2:close()
  end)

  it("ignores a torn unit at the end of the log", function()
    local s = store.new{ data_dir = dir, sweep = false }
    local c = s:database("_system"):create_collection("c")
    c:insert{ _key = "before" }
    s:close()
    -- what a kill -9 in the middle of writing a unit leaves: a line without its end
    local unit = json.encode{ op = "trx", s = 1000000, r = json.array{
      { op = "put", db = "_system", c = c.id, d = { _key = "t1", _id = "c/t1", _rev = "_a" } },
      { op = "put", db = "_system", c = c.id, d = { _key = "t2", _id = "c/t2", _rev = "_b" } } } }
    for _, cut in ipairs{ #unit // 2, #unit } do
      local f = assert(io.open(dir .. "/wal.jsonl", "ab"))
      f:write(unit:sub(1, cut))
      f:close()
      local s2 = store.new{ data_dir = dir, sweep = false }
      local c2 = s2:database("_system"):collection("c")
      assert.are.equal(1, c2:count())
      assert.is_table(c2:get("before"))
      assert.is_nil(c2:get("t1"))
      s2:close()
    end
  end)
end)

describe("devserver transactions over HTTP", function()
  local srv, call

  setup(function()
    srv = ds.start{ auth = false }
    call = ds.client(srv.url)
  end)
  teardown(function() if srv then srv.stop() end end)

  local function count(name) return call("GET", "/_api/collection/" .. name .. "/count").json.count end

  it("rolls back a failing query and keeps the others of a multi-document insert", function()
    assert.are.equal(200, call("POST", "/_api/collection", { body = { name = "h1" } }).status)
    assert.are.equal(201, call("POST", "/_api/index?collection=h1", { body = { type = "persistent",
      fields = json.array{ "u" }, unique = true } }).status)
    local r = call("POST", "/_api/cursor",
      { body = { query = "FOR i IN [1,2,1] INSERT {_key: TO_STRING(i), u: i} INTO h1" } })
    assert.are.same({ 409, 1210 }, { r.status, r.json.errorNum })
    assert.are.equal(0, count("h1"))
    r = call("POST", "/_api/document/h1", { body = json.array{ { _key = "1", u = 1 }, { _key = "1" },
      { _key = "2", u = 2 } } })
    assert.are.equal(202, r.status)
    assert.is_nil(r.json[1].error)
    assert.are.equal(1210, r.json[2].errorNum)
    assert.is_nil(r.json[3].error)
    assert.are.equal(2, count("h1"))
  end)

  it("rolls back a query killed through DELETE /_api/query/{id}", function()
    assert.are.equal(200, call("POST", "/_api/collection", { body = { name = "h2" } }).status)
    local text = "FOR i IN 1..200 LET s = SLEEP(0.02) INSERT {_key: TO_STRING(i)} INTO h2"
    local running = ds.connect(srv.url)
    running:send(ds.render("POST", "/_api/cursor", { body = { query = text } }))
    local entry
    for _ = 1, 2000 do
      if not entry then
        for _, e in ipairs(call("GET", "/_api/query/current").json) do
          if e.query == text then entry = e end
        end
      end
      -- the query has written (others see its uncommitted documents) before it is killed
      if entry and count("h2") >= 2 then break end
    end
    assert.is_table(entry)
    assert.is_true(count("h2") >= 2)
    assert.are.equal(200, call("DELETE", "/_api/query/" .. entry.id).status)
    local res = assert(running:read(false, 20))
    running:close()
    assert.are.equal(410, res.status)
    assert.are.equal(0, count("h2"))
    assert.are.equal(202, call("POST", "/_api/document/h2", { body = { _key = "1" } }).status)
  end)

  it("rolls back an import with complete=true at its first error", function()
    assert.are.equal(200, call("POST", "/_api/collection", { body = { name = "h3" } }).status)
    local r = call("POST", "/_api/import?collection=h3&type=list&complete=true",
      { body = json.array{ { _key = "a" }, { _key = "b" }, { _key = "a" } } })
    assert.are.equal(409, r.status)
    assert.are.equal(0, count("h3"))
    r = call("POST", "/_api/import?collection=h3&type=list",
      { body = json.array{ { _key = "a" }, { _key = "b" }, { _key = "a" } } })
    assert.are.same({ 201, 2, 1 }, { r.status, r.json.created, r.json.errors })
  end)
end)

describe("devserver transactions across kill -9", function()
  local dir
  before_each(function() dir = tmpdir() end)
  after_each(function() rmtree(dir) end)

  it("keeps all or none of a large multi-document insert", function()
    local srv = ds.start{ auth = false, data_dir = dir }
    local req = ds.client(srv.url)
    assert.are.equal(200, req("POST", "/_api/collection", { body = { name = "big" } }).status)
    local docs = json.array{}
    local pad = string.rep("x", 40)
    for i = 1, 20000 do docs[i] = { _key = "k" .. i, v = i, pad = pad } end
    local wal = dir .. "/wal.jsonl"
    local function size()
      local st = uv.fs_stat(wal)
      return st and st.size or 0
    end
    local base = size()
    local conn = ds.connect(srv.url)
    conn:send(ds.render("POST", "/_api/document/big", { body = docs }))
    -- kill the server the moment its log starts to grow (it is storing the request), before
    -- it answers; by pid, from a 1 ms timer
    local killed, answered = false, false
    local timer = uv.new_timer()
    timer:start(1, 1, function()
      if killed then return end
      answered = #conn.buf > 0
      if size() > base or answered then
        uv.kill(srv.pid, "sigkill")
        killed = true
      end
    end)
    ds.wait(function() return killed end, 30)
    timer:stop()
    timer:close()
    assert.is_true(killed)
    srv.kill9()
    conn:close()
    srv = ds.start{ auth = false, data_dir = dir }
    req = ds.client(srv.url)
    local n = req("GET", "/_api/collection/big/count").json.count
    srv.stop()
    assert.is_true(n == 0 or n == 20000, "found " .. tostring(n) .. " documents")
    if answered then assert.are.equal(20000, n) end
    assert.is_true(uv.fs_stat(dir .. "/snapshot.jsonl") ~= nil)
  end)
end)
