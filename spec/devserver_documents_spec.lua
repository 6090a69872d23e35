-- HTTP-level specs of the devserver's document, import and edges endpoints.
local json = require "arango.json"
local ds = require "spec.support.devserver"

describe("devserver documents over HTTP", function()
  local srv, req

  setup(function()
    srv = ds.start{ auth = false }
    req = ds.client(srv.url)
  end)
  teardown(function() if srv then srv.stop() end end)

  local n = 0
  local function fresh(props)
    n = n + 1
    local name = "docs" .. n
    local body = props or {}
    body.name = name
    local res = req("POST", "/_api/collection", { body = body })
    assert.equal(200, res.status)
    return name
  end

  it("creates, reads (etag, If-None-Match, If-Match, HEAD) and deletes one document", function()
    local c = fresh()
    local res = req("POST", "/_api/document/" .. c, { body = { hello = "world" } })
    assert.equal(202, res.status)
    local key, rev = res.json._key, res.json._rev
    assert.equal('"' .. rev .. '"', res.headers.etag)
    assert.equal("/_db/_system/_api/document/" .. c .. "/" .. key, res.headers.location)
    res = req("GET", "/_api/document/" .. c .. "/" .. key)
    assert.equal(200, res.status)
    assert.same({ key, c .. "/" .. key, rev, "world" }, { res.json._key, res.json._id, res.json._rev,
      res.json.hello })
    res = req("GET", "/_api/document/" .. c .. "/" .. key, { headers = { ["if-none-match"] = '"' .. rev
      .. '"' } })
    assert.equal(304, res.status)
    res = req("GET", "/_api/document/" .. c .. "/" .. key, { headers = { ["if-match"] = '"_nope----"' } })
    assert.equal(412, res.status)
    assert.same({ 1200, rev }, { res.json.errorNum, res.json._rev })
    res = req("HEAD", "/_api/document/" .. c .. "/" .. key)
    assert.same({ 200, "" }, { res.status, res.body })
    res = req("DELETE", "/_api/document/" .. c .. "/" .. key, { headers = { ["if-match"] = '"_nope----"' } })
    assert.equal(412, res.status)
    res = req("DELETE", "/_api/document/" .. c .. "/" .. key .. "?returnOld=true")
    assert.same({ 202, "world" }, { res.status, res.json.old.hello })
    res = req("GET", "/_api/document/" .. c .. "/" .. key)
    assert.same({ 404, 1202 }, { res.status, res.json.errorNum })
    res = req("GET", "/_api/document/nosuchcollection/x")
    assert.same({ 404, 1203 }, { res.status, res.json.errorNum })
  end)

  it("answers 201 when the write is synced", function()
    local c = fresh({ waitForSync = true })
    local res = req("POST", "/_api/document/" .. c, { body = { a = 1 } })
    assert.equal(201, res.status)
    local c2 = fresh()
    res = req("POST", "/_api/document/" .. c2 .. "?waitForSync=true", { body = { a = 1 } })
    assert.equal(201, res.status)
    res = req("DELETE", "/_api/document/" .. c .. "/" .. res.json._key)
    assert.equal(404, res.status)
  end)

  it("replaces and updates with options, returnNew/returnOld and silent", function()
    local c = fresh()
    req("POST", "/_api/document/" .. c, { body = { _key = "k", a = 1, o = { x = 1 } } })
    local res = req("PATCH", "/_api/document/" .. c .. "/k?returnNew=true&returnOld=true",
      { body = { o = { y = 2 }, n = json.null } })
    assert.equal(202, res.status)
    assert.same({ x = 1, y = 2 }, res.json.new.o)
    assert.equal(json.null, res.json.new.n)
    assert.equal(1, res.json.old.a)
    assert.truthy(res.json._oldRev)
    res = req("PATCH", "/_api/document/" .. c .. "/k?keepNull=false&mergeObjects=false&returnNew=true",
      { body = { o = { z = 3 }, n = json.null } })
    assert.same({ z = 3 }, res.json.new.o)
    assert.is_nil(res.json.new.n)
    res = req("PUT", "/_api/document/" .. c .. "/k?silent=true", { body = { b = 2 } })
    assert.equal(202, res.status)
    assert.same({}, res.json)
    res = req("GET", "/_api/document/" .. c .. "/k")
    assert.is_nil(res.json.a)
    assert.equal(2, res.json.b)
    res = req("PUT", "/_api/document/" .. c .. "/k", { headers = { ["if-match"] = '"' .. res.json._rev
      .. '"' },
      body = { b = 3 } })
    assert.equal(202, res.status)
    res = req("PUT", "/_api/document/" .. c .. "/missing", { body = { b = 3 } })
    assert.same({ 404, 1202 }, { res.status, res.json.errorNum })
  end)

  it("handles overwriteMode on insert", function()
    local c = fresh()
    req("POST", "/_api/document/" .. c, { body = { _key = "k", a = 1 } })
    local res = req("POST", "/_api/document/" .. c, { body = { _key = "k", a = 2 } })
    assert.same({ 409, 1210 }, { res.status, res.json.errorNum })
    res = req("POST", "/_api/document/" .. c .. "?overwriteMode=update&returnOld=true",
      { body = { _key = "k", b = 2 } })
    assert.same({ 202, 1 }, { res.status, res.json.old.a })
    assert.truthy(res.json._oldRev)
    res = req("POST", "/_api/document/" .. c .. "?overwrite=true&returnNew=true", { body = { _key = "k",
      c = 3 } })
    assert.same({ c = 3 }, { c = res.json.new.c, a = res.json.new.a })
  end)

  it("handles arrays with per-document errors and x-arango-error-codes", function()
    local c = fresh()
    local res = req("POST", "/_api/document/" .. c, { body = json.array{ { _key = 111 }, { _key = "abc" },
      { _key = "abc" } } })
    assert.equal(202, res.status)
    assert.same({ 1221, 1210 }, { res.json[1].errorNum, res.json[3].errorNum })
    assert.equal("abc", res.json[2]._key)
    assert.same({ ["1221"] = 1, ["1210"] = 1 }, json.decode(res.headers["x-arango-error-codes"]))
    res = req("PUT", "/_api/document/" .. c .. "?onlyget=true", { body = json.array{ "abc",
      { _key = "zzz" } } })
    assert.equal(200, res.status)
    assert.equal("abc", res.json[1]._key)
    assert.equal(1202, res.json[2].errorNum)
    res = req("PATCH", "/_api/document/" .. c .. "?returnNew=true", { body = json.array{ { _key = "abc",
      v = 1 }, { v = 2 } } })
    assert.equal(1, res.json[1].new.v)
    assert.is_true(res.json[2].error)
    res = req("PUT", "/_api/document/" .. c, { body = json.array{ { _key = "abc", w = 1 } } })
    assert.equal(202, res.status)
    res = req("DELETE", "/_api/document/" .. c, { body = json.array{ "abc", "other/abc",
      { _key = "nope" } } })
    assert.equal(202, res.status)
    assert.equal("abc", res.json[1]._key)
    assert.same({ 1202, 1202 }, { res.json[2].errorNum, res.json[3].errorNum })
    assert.equal('{"1202":2}', res.headers["x-arango-error-codes"])
  end)

  it("rejects bad input with the documented errors and changes nothing", function()
    local c = fresh()
    local res = req("POST", "/_api/document/" .. c, { body = "{ 1: \"World\" }" })
    assert.same({ 400, 600 }, { res.status, res.json.errorNum })
    res = req("POST", "/_api/document/" .. c, { body = "42" })
    assert.same({ 400, 1227 }, { res.status, res.json.errorNum })
    res = req("POST", "/_api/document/" .. c, { body = { _key = "a b" } })
    assert.same({ 400, 1221 }, { res.status, res.json.errorNum })
    res = req("GET", "/_api/collection/" .. c .. "/count")
    assert.equal(0, res.json.count)
  end)

  it("validates edges and lists them by vertex and direction", function()
    local e = fresh({ type = 3 })
    local res = req("POST", "/_api/document/" .. e, { body = { _from = "v/1" } })
    assert.same({ 400, 1233 }, { res.status, res.json.errorNum })
    for i, pair in ipairs{ { "v/1", "v/2" }, { "v/2", "v/1" }, { "v/3", "v/1" } } do
      req("POST", "/_api/document/" .. e, { body = { _key = tostring(i), _from = pair[1], _to = pair[2] } })
    end
    res = req("GET", "/_api/edges/" .. e .. "?vertex=v/1&direction=in")
    assert.equal(200, res.status)
    assert.same({ "2", "3" }, { res.json.edges[1]._key, res.json.edges[2]._key })
    res = req("GET", "/_api/edges/" .. e .. "?vertex=v/1&direction=out")
    assert.equal(1, #res.json.edges)
    res = req("GET", "/_api/edges/" .. e .. "?vertex=v/1")
    assert.equal(3, #res.json.edges)
    res = req("GET", "/_api/edges/" .. e .. "?vertex=v/1&direction=up")
    assert.equal(400, res.status)
  end)

  it("imports JSON lines, lists and header+values with onDuplicate and details", function()
    local c = fresh()
    local body = '{"_key":"a","v":1}\n{"_key":"b"}\n\n[1]\n'
    local res = req("POST", "/_api/import?collection=" .. c .. "&type=documents&details=true",
      { body = body })
    assert.equal(201, res.status)
    assert.same({ 2, 1, 1 }, { res.json.created, res.json.errors, res.json.empty })
    assert.equal(1, #res.json.details)
    res = req("POST", "/_api/import?collection=" .. c .. "&type=list&onDuplicate=update",
      { body = json.array{ { _key = "a", w = 2 }, { _key = "c" } } })
    assert.same({ 1, 1, 0 }, { res.json.created, res.json.updated, res.json.errors })
    res = req("GET", "/_api/document/" .. c .. "/a")
    assert.same({ 1, 2 }, { res.json.v, res.json.w })
    res = req("POST", "/_api/import?collection=" .. c .. "&onDuplicate=ignore",
      { body = '["_key","x"]\n["a",5]\n["d",6]\n' })
    assert.same({ 1, 1 }, { res.json.created, res.json.ignored })
    -- complete=true: all or nothing
    res = req("POST", "/_api/import?collection=" .. c .. "&type=list&complete=true",
      { body = json.array{ { _key = "new1" }, { _key = "a" } } })
    assert.equal(409, res.status)
    res = req("GET", "/_api/document/" .. c .. "/new1")
    assert.equal(404, res.status)
    res = req("POST", "/_api/import?type=list", { body = "[]" })
    assert.same({ 400, 1204 }, { res.status, res.json.errorNum })
    res = req("POST", "/_api/import?collection=" .. c .. "&overwrite=true&type=auto", { body = '[{"z":1}]' })
    assert.equal(1, res.json.created)
    res = req("GET", "/_api/collection/" .. c .. "/count")
    assert.equal(1, res.json.count)
  end)

  it("imports edges with prefixes and reports missing _from/_to", function()
    local e = fresh({ type = 3 })
    local res = req("POST", "/_api/import?collection=" .. e .. "&type=documents&fromPrefix=v&toPrefix=w",
      { body = '{"_from":"1","_to":"2"}\n{"name":"x"}\n' })
    assert.same({ 1, 1 }, { res.json.created, res.json.errors })
    res = req("GET", "/_api/edges/" .. e .. "?vertex=w/2&direction=in")
    assert.equal("v/1", res.json.edges[1]._from)
  end)
end)
