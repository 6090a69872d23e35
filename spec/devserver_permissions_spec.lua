-- luacheck: no max line length
-- Permissions on every route of the database-level areas (collections, documents, edges,
-- import, indexes): a user with `ro` on the database may read but every write is refused
-- with 403/11 and changes nothing; a user with `none` gets 401/11 everywhere; a collection
-- grant narrows the database grant. Table-driven so a new route is one line.
local ds = require "spec.support.devserver"
local json = require "arango.json"

local ROOT = { "root", "pw" }
local DB = "/_db/permdb"

-- Routes that only read. Each answers 2xx for root (checked, so a typo cannot pass).
local READS = {
  { "GET", "/_api/collection" },
  { "GET", "/_api/collection/c" },
  { "GET", "/_api/collection/c/properties" },
  { "GET", "/_api/collection/c/count" },
  { "GET", "/_api/collection/c/figures" },
  { "GET", "/_api/collection/c/revision" },
  { "GET", "/_api/collection/c/checksum" },
  { "GET", "/_api/document/c/k1" },
  { "HEAD", "/_api/document/c/k1" },
  { "PUT", "/_api/document/c?onlyget=true", json.array{ "k1" } },
  { "GET", "/_api/edges/e?vertex=c/k1" },
  { "GET", "/_api/index?collection=c" },
  { "GET", "/_api/index/c/0" },
  { "GET", "/_api/index/c/pi" },
  { "GET", "/_api/database/current" },
  { "GET", "/_api/database/user" },
  { "GET", "/_api/version" },
  { "POST", "/_api/cursor", { query = "FOR d IN c RETURN d" } },
}

-- Routes that write. Each is refused for a read-only user.
local WRITES = {
  { "POST", "/_api/collection", { name = "fresh" } },
  { "DELETE", "/_api/collection/c" },
  { "PUT", "/_api/collection/c/properties", { waitForSync = true } },
  { "PUT", "/_api/collection/c/truncate" },
  { "PUT", "/_api/collection/c/rename", { name = "c2" } },
  { "POST", "/_api/document/c", { _key = "new" } },
  { "POST", "/_api/document/c", json.array{ { _key = "new" } } },
  { "POST", "/_api/document/c?overwriteMode=replace", { _key = "k1", v = 2 } },
  { "PUT", "/_api/document/c/k1", { v = 2 } },
  { "PATCH", "/_api/document/c/k1", { v = 2 } },
  { "DELETE", "/_api/document/c/k1" },
  { "PUT", "/_api/document/c", json.array{ { _key = "k1", v = 2 } } },
  { "PATCH", "/_api/document/c", json.array{ { _key = "k1", v = 2 } } },
  { "DELETE", "/_api/document/c", json.array{ "k1" } },
  { "POST", "/_api/document/e", { _from = "c/k1", _to = "c/k1" } },
  { "POST", "/_api/import?collection=c&type=list", json.array{ { _key = "imp" } } },
  { "POST", "/_api/import?collection=c&type=documents", '{"_key":"imp"}\n' },
  { "POST", "/_api/index?collection=c", { type = "persistent", fields = json.array{ "x" } } },
  { "DELETE", "/_api/index/c/pi" },
  { "POST", "/_api/cursor", { query = "INSERT {} INTO c" } },
}

describe("devserver permissions on every route", function()
  local srv
  local function as(user, pw) return ds.client(srv.url, { auth = { user, pw } }) end
  local function root(m, p, o) return as(ROOT[1], ROOT[2])(m, p, o) end

  local function call(client, route)
    local body = route[3]
    return client(route[1], DB .. route[2], { body = body })
  end

  -- what a reader could observe of the database: changes here mean a refused write did something
  local function snapshot()
    local cols = {}
    for _, c in ipairs(root("GET", DB .. "/_api/collection?excludeSystem=true").json.result) do
      cols[#cols + 1] = c.name .. ":" .. tostring(c.id)
    end
    table.sort(cols)
    local docs = root("POST", DB .. "/_api/cursor",
      { body = { query = "FOR d IN c SORT d._key RETURN [d._key, d._rev]" } }).json.result
    local idx = {}
    for _, i in ipairs(root("GET", DB .. "/_api/index?collection=c").json.indexes) do idx[#idx + 1] = i.id end
    table.sort(idx)
    local props = root("GET", DB .. "/_api/collection/c/properties").json
    return { cols = cols, docs = docs, idx = idx, sync = props.waitForSync }
  end

  setup(function()
    srv = ds.start{ auth = true, root_password = ROOT[2] }
    assert.equal(201, root("POST", "/_api/database", { body = { name = "permdb" } }).status)
    assert.equal(200, root("POST", DB .. "/_api/collection", { body = { name = "c" } }).status)
    assert.equal(200, root("POST", DB .. "/_api/collection", { body = { name = "e", type = 3 } }).status)
    assert.equal(202, root("POST", DB .. "/_api/document/c", { body = { _key = "k1" } }).status)
    assert.equal(202, root("POST", DB .. "/_api/document/e", { body = { _from = "c/k1", _to = "c/k1" } }).status)
    assert.equal(201, root("POST", DB .. "/_api/index?collection=c",
      { body = { type = "persistent", fields = json.array{ "p" }, name = "pi" } }).status)
    for _, u in ipairs{ "reader", "nobody", "narrow" } do
      assert.equal(201, root("POST", "/_api/user", { body = { user = u, passwd = u } }).status)
    end
    assert.equal(200, root("PUT", "/_api/user/reader/database/permdb", { body = { grant = "ro" } }).status)
    assert.equal(200, root("PUT", "/_api/user/nobody/database/permdb", { body = { grant = "none" } }).status)
    -- rw on the database, but only ro on the collections used by the routes
    assert.equal(200, root("PUT", "/_api/user/narrow/database/permdb", { body = { grant = "rw" } }).status)
    assert.equal(200, root("PUT", "/_api/user/narrow/database/permdb/c", { body = { grant = "ro" } }).status)
    assert.equal(200, root("PUT", "/_api/user/narrow/database/permdb/e", { body = { grant = "ro" } }).status)
  end)

  teardown(function() if srv then srv.stop() end end)

  it("every read route answers root (the table has no typos)", function()
    for _, r in ipairs(READS) do
      local res = call(function(...) return root(...) end, r)
      assert.is_true(res.status >= 200 and res.status < 300, r[1] .. " " .. r[2] .. " -> " .. res.status)
    end
  end)

  it("a ro user may use every read route", function()
    local reader = as("reader", "reader")
    for _, r in ipairs(READS) do
      local res = call(reader, r)
      assert.is_true(res.status >= 200 and res.status < 300, r[1] .. " " .. r[2] .. " -> " .. res.status)
    end
  end)

  it("a ro user gets 403/11 on every write route and nothing changes", function()
    local before = snapshot()
    local reader = as("reader", "reader")
    for _, r in ipairs(WRITES) do
      local res = call(reader, r)
      assert.equal(403, res.status, r[1] .. " " .. r[2])
      assert.equal(11, res.json.errorNum, r[1] .. " " .. r[2])
    end
    assert.same(before, snapshot())
  end)

  it("a ro collection grant refuses writes of a rw database user, and nothing changes", function()
    local before = snapshot()
    local narrow = as("narrow", "narrow")
    for _, r in ipairs(WRITES) do
      -- creating another collection is a database-level write the rw grant allows
      if not (r[1] == "POST" and r[2] == "/_api/collection") then
        local res = call(narrow, r)
        assert.equal(403, res.status, r[1] .. " " .. r[2])
        assert.equal(11, res.json.errorNum, r[1] .. " " .. r[2])
      end
    end
    assert.same(before, snapshot())
    for _, r in ipairs(READS) do
      local res = call(narrow, r)
      assert.is_true(res.status >= 200 and res.status < 300, r[1] .. " " .. r[2] .. " -> " .. res.status)
    end
  end)

  it("a user without access gets 401/11 on every route", function()
    local nobody = as("nobody", "nobody")
    for _, list in ipairs{ READS, WRITES } do
      for _, r in ipairs(list) do
        local res = call(nobody, r)
        assert.equal(401, res.status, r[1] .. " " .. r[2])
        if r[1] ~= "HEAD" then assert.equal(11, res.json.errorNum, r[1] .. " " .. r[2]) end
      end
    end
  end)

  it("a ro user of _system may not administer users or databases", function()
    assert.equal(200, root("PUT", "/_api/user/reader/database/_system", { body = { grant = "ro" } }).status)
    local reader = as("reader", "reader")
    local admin = {
      { "POST", "/_api/user", { user = "x" } },
      { "PUT", "/_api/user/nobody", { passwd = "y" } },
      { "PATCH", "/_api/user/nobody", { active = false } },
      { "DELETE", "/_api/user/nobody" },
      { "PUT", "/_api/user/nobody/database/permdb", { grant = "rw" } },
      { "PUT", "/_api/user/nobody/database/permdb/c", { grant = "rw" } },
      { "DELETE", "/_api/user/nobody/database/permdb" },
      { "DELETE", "/_api/user/nobody/database/permdb/c" },
      { "POST", "/_api/database", { name = "other" } },
      { "DELETE", "/_api/database/permdb" },
      { "PUT", "/_admin/server/mode", { mode = "readonly" } },
      { "PUT", "/_admin/log/level", { general = "DEBUG" } },
    }
    for _, r in ipairs(admin) do
      local res = reader(r[1], r[2], { body = r[3] })
      assert.equal(403, res.status, r[1] .. " " .. r[2])
      assert.equal(11, res.json.errorNum, r[1] .. " " .. r[2])
    end
    -- nothing changed
    assert.equal(401, as("nobody", "nobody")("GET", DB .. "/_api/collection").status)
    assert.equal(404, root("GET", "/_api/user/x").status)
    assert.equal(200, root("GET", DB .. "/_api/version").status)
    assert.equal("default", root("GET", "/_admin/server/mode").json.mode)
    assert.equal(404, root("GET", "/_db/other/_api/version").status)
    assert.equal(200, root("GET", "/_api/user/nobody").status)
  end)
end)
