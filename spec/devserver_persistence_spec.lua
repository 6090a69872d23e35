-- Persistence of the devserver's data: the operation log + snapshots survive restarts and
-- kill -9 (everything acknowledged is there afterwards, including index definitions, key
-- generator state, revisions and properties).
local json = require "arango.json"
local ds = require "spec.support.devserver"
local store = require "arango.devserver.store"

local function tmpdir()
  local p = os.tmpname()
  os.remove(p)
  return p .. "_data"
end

local function rmtree(dir)
  os.execute("rm -rf '" .. dir .. "'")
end

describe("devserver persistence (store)", function()
  local dir
  before_each(function() dir = tmpdir() end)
  after_each(function() rmtree(dir) end)

  it("restores databases, collections, documents, indexes and key generators", function()
    local s = store.new{ data_dir = dir, sweep = false }
    local db = s:create_database("shop")
    local c = db:create_collection("p", { keyOptions = { type = "autoincrement", increment = 3 },
      waitForSync = true, schema = { rule = { required = { "n" } }, level = "strict", message = "m" } })
    c:ensure_index{ type = "persistent", fields = { "n" }, unique = true, name = "un" }
    for i = 1, 5 do c:insert({ n = i }) end
    c:remove("15")                      -- the highest key: the generator must still remember it
    local r = c:update("6", { x = 1.5 })
    local e = db:create_collection("e", { type = 3 })
    e:insert({ _key = "1", _from = "p/3", _to = "p/6" })
    db:rename_collection("e", "edges")
    s:create_database("gone")
    s:drop_database("gone")
    s:close()

    local s2 = store.new{ data_dir = dir, sweep = false }
    local db2 = s2:database("shop")
    assert.is_nil(s2:database("gone"))
    local c2 = db2:collection("p")
    assert.equal(4, c2:count())
    assert.same({ r._rev, 1.5 }, { c2:get("6")._rev, c2:get("6").x })
    assert.is_true(c2.wait_for_sync)
    assert.equal("m", c2.schema.message)
    assert.equal("un", c2:index("un").name)
    assert.equal(1210, select(2, pcall(c2.insert, c2, { n = 2 })).num)
    assert.equal("18", c2:insert({ n = 100 })._key)
    assert.equal("edges/1", db2:collection("edges"):get("1")._id)
    assert.equal(1, #db2:collection("edges"):edges("p/6", "in"))
    s2:close()
  end)

  it("compacts a large log into a snapshot and keeps everything", function()
    local s = store.new{ data_dir = dir, sweep = false, compact_bytes = 2000 }
    local c = s:database("_system"):create_collection("big")
    for i = 1, 300 do c:insert({ _key = "k" .. i, v = i }) end
    for i = 1, 300, 2 do c:remove("k" .. i) end
    s:close()
    local f = assert(io.open(dir .. "/wal.jsonl"))
    local size = #f:read("a")
    f:close()
    assert.is_true(size < 20000)
    local s2 = store.new{ data_dir = dir, sweep = false }
    local c2 = s2:database("_system"):collection("big")
    assert.equal(150, c2:count())
    assert.equal(300, c2:get("k300").v)
    s2:close()
  end)

  it("ignores a torn last line of the log", function()
    local s = store.new{ data_dir = dir, sweep = false }
    local c = s:database("_system"):create_collection("t")
    c:insert({ _key = "a" })
    s.wal:close() -- simulate a crash: no clean shutdown
    local f = assert(io.open(dir .. "/wal.jsonl", "a"))
    f:write('{"op":"put","db":"_system","c":' .. c.id .. ',"d":{"_key":"b"')
    f:close()
    local s2 = store.new{ data_dir = dir, sweep = false }
    local c2 = s2:database("_system"):collection("t")
    assert.truthy(c2:get("a"))
    assert.is_nil(c2:get("b"))
    c2:insert({ _key = "c" })
    s2:close()
    local s3 = store.new{ data_dir = dir, sweep = false }
    assert.truthy(s3:database("_system"):collection("t"):get("c"))
    s3:close()
  end)
end)

describe("devserver persistence over HTTP", function()
  local dir
  before_each(function() dir = tmpdir() end)
  after_each(function() rmtree(dir) end)

  it("keeps every acknowledged write across kill -9 and restart", function()
    local srv = ds.start{ auth = false, data_dir = dir }
    local req = ds.client(srv.url)
    assert.equal(200, req("POST", "/_api/collection", { body = { name = "keep",
      keyOptions = { type = "padded" } } }).status)
    assert.equal(200, req("POST", "/_api/collection", { body = { name = "sync",
      waitForSync = true } }).status)
    assert.equal(201, req("POST", "/_api/index?collection=keep", { body = { type = "persistent",
      fields = json.array{ "u" }, unique = true, name = "by_u" } }).status)
    local revs = {}
    for i = 1, 50 do
      local res = req("POST", "/_api/document/keep", { body = { u = i } })
      assert.equal(202, res.status)
      revs[res.json._key] = res.json._rev
    end
    local last_key
    for k in pairs(revs) do if not last_key or k > last_key then last_key = k end end
    local up = req("PATCH", "/_api/document/keep/" .. last_key, { body = { patched = true } })
    revs[last_key] = up.json._rev
    assert.equal(201, req("POST", "/_api/document/sync", { body = { _key = "s" } }).status)
    assert.equal(202, req("DELETE", "/_api/document/keep/" .. last_key).status)
    revs[last_key] = nil
    srv.kill9()

    srv = ds.start{ auth = false, data_dir = dir }
    req = ds.client(srv.url)
    assert.equal(49, req("GET", "/_api/collection/keep/count").json.count)
    for k, r in pairs(revs) do
      local res = req("GET", "/_api/document/keep/" .. k)
      assert.equal(200, res.status)
      assert.equal(r, res.json._rev)
    end
    assert.equal(200, req("GET", "/_api/document/sync/s").status)
    local props = req("GET", "/_api/collection/keep/properties").json
    assert.equal("padded", props.keyOptions.type)
    local idx = req("GET", "/_api/index/keep/by_u")
    assert.same({ 200, true }, { idx.status, idx.json.unique })
    local dup = req("POST", "/_api/document/keep", { body = { u = 1 } })
    assert.same({ 409, 1210 }, { dup.status, dup.json.errorNum })
    -- the generator continues after the removed highest key
    local new = req("POST", "/_api/document/keep", { body = { u = 1000 } })
    assert.is_true(new.json._key > last_key)
    srv.stop()
  end)

  it("keeps every kind of write across kill -9: databases, collections, indexes, users", function()
    local srv = ds.start{ root_password = "pw", data_dir = dir }
    local req = ds.client(srv.url, { auth = { "root", "pw" } })
    local function ok(res, status) assert.equal(status, res.status, res.body) return res end
    -- databases: one created, one created and dropped
    ok(req("POST", "/_api/database", { body = { name = "kept" } }), 201)
    ok(req("POST", "/_api/database", { body = { name = "gone" } }), 201)
    ok(req("DELETE", "/_api/database/gone"), 200)
    local K = "/_db/kept"
    -- collections: created, dropped, renamed, properties changed, truncated
    ok(req("POST", K .. "/_api/collection", { body = { name = "dropme" } }), 200)
    ok(req("DELETE", K .. "/_api/collection/dropme"), 200)
    ok(req("POST", K .. "/_api/collection", { body = { name = "old" } }), 200)
    ok(req("POST", K .. "/_api/document/old", { body = { _key = "a", v = 1 } }), 202)
    ok(req("PUT", K .. "/_api/collection/old/rename", { body = { name = "renamed" } }), 200)
    ok(req("POST", K .. "/_api/collection", { body = { name = "props" } }), 200)
    ok(req("PUT", K .. "/_api/collection/props/properties", { body = { waitForSync = true,
      schema = { rule = { type = "object", required = json.array{ "n" } }, level = "moderate",
        message = "need n" } } }), 200)
    ok(req("POST", K .. "/_api/collection", { body = { name = "trunc" } }), 200)
    ok(req("POST", K .. "/_api/document/trunc", { body = json.array{ { _key = "x" }, { _key = "y" } } }), 202)
    ok(req("PUT", K .. "/_api/collection/trunc/truncate"), 200)
    ok(req("POST", K .. "/_api/document/trunc", { body = { _key = "after" } }), 202)
    -- indexes: one kept, one created and dropped, a ttl one
    ok(req("POST", K .. "/_api/index?collection=renamed", { body = { type = "persistent",
      fields = json.array{ "v" }, unique = true, name = "uv" } }), 201)
    local tmp = ok(req("POST", K .. "/_api/index?collection=renamed", { body = { type = "persistent",
      fields = json.array{ "w" }, name = "tmp" } }), 201).json
    ok(req("DELETE", K .. "/_api/index/" .. tmp.id), 200)
    -- users and grants
    ok(req("POST", "/_api/user", { body = { user = "alice", passwd = "apw" } }), 201)
    ok(req("PUT", "/_api/user/alice/database/kept", { body = { grant = "ro" } }), 200)
    ok(req("PUT", "/_api/user/alice/database/kept/trunc", { body = { grant = "rw" } }), 200)
    ok(req("POST", "/_api/user", { body = { user = "bob" } }), 201)
    ok(req("DELETE", "/_api/user/bob"), 202)
    srv.kill9()

    srv = ds.start{ root_password = "pw", data_dir = dir }
    req = ds.client(srv.url, { auth = { "root", "pw" } })
    local dbs = ok(req("GET", "/_api/database"), 200).json.result
    assert.same({ "_system", "kept" }, { dbs[1], dbs[2], dbs[3] })
    ok(req("GET", K .. "/_api/collection/dropme"), 404)
    ok(req("GET", K .. "/_api/collection/old"), 404)
    assert.equal(1, ok(req("GET", K .. "/_api/document/renamed/a"), 200).json.v)
    local props = ok(req("GET", K .. "/_api/collection/props/properties"), 200).json
    assert.is_true(props.waitForSync)
    assert.equal("need n", props.schema.message)
    local bad = req("POST", K .. "/_api/document/props", { body = { m = 1 } })
    assert.same({ 400, 1620 }, { bad.status, bad.json.errorNum })
    assert.equal(1, ok(req("GET", K .. "/_api/collection/trunc/count"), 200).json.count)
    ok(req("GET", K .. "/_api/document/trunc/after"), 200)
    ok(req("GET", K .. "/_api/index/renamed/uv"), 200)
    ok(req("GET", K .. "/_api/index/" .. tmp.id), 404)
    local dup = req("POST", K .. "/_api/document/renamed", { body = { v = 1 } })
    assert.same({ 409, 1210 }, { dup.status, dup.json.errorNum })
    local alice = ds.client(srv.url, { auth = { "alice", "apw" } })
    ok(alice("GET", K .. "/_api/document/renamed/a"), 200)
    ok(alice("POST", K .. "/_api/document/renamed", { body = {} }), 403)
    ok(alice("POST", K .. "/_api/document/trunc", { body = {} }), 202)
    ok(req("GET", "/_api/user/bob"), 404)
    srv.stop()
  end)
end)
