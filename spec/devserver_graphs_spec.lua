-- luacheck: no max line length
-- HTTP-level specs of the devserver's graph API (/_api/gharial): graph definitions, vertex
-- collections, edge definitions, vertices and edges through a graph (with their error paths),
-- the cascade of vertex removal to edges, persistence of definitions, and the store-level
-- API the AQL engine uses (devserver/store/graphs.lua).
local json = require "arango.json"
local core = require "arango.core"
local ds = require "spec.support.devserver"

local function tmpdir()
  local p = os.tmpname()
  os.remove(p)
  return p .. "_graphs"
end

-- A request function over arango.core's HTTP engine: req(method, path, {body, headers}).
local function client(http, url)
  return function(method, path, opts)
    opts = opts or {}
    local headers = opts.headers or {}
    local body = opts.body
    if type(body) == "table" then
      body = json.encode(body)
      headers["content-type"] = "application/json"
    end
    local res, err = http:request{ url = url, method = method, path = path, headers = headers,
      body = body, timeout = 20 }
    assert(res, err and err.message)
    if res.body ~= "" and (res.headers["content-type"] or ""):find("json", 1, true) then
      res.json = json.decode(res.body)
    end
    return res
  end
end

local function sorted(list)
  local out = {}
  for i, v in ipairs(list) do out[i] = v end
  table.sort(out)
  return out
end

describe("devserver graphs over HTTP", function()
  local srv, http, req

  setup(function()
    srv = ds.start{ auth = false }
    http = core.http{}
    req = client(http, srv.url)
  end)
  teardown(function()
    if http then http:close() end
    if srv then srv.stop() end
  end)

  local n = 0
  local function uniq(prefix)
    n = n + 1
    return prefix .. n
  end

  local function collection_type(name)
    local res = req("GET", "/_api/collection/" .. name)
    if res.status ~= 200 then return nil end
    return res.json.type
  end

  local function create_graph(body, query)
    return req("POST", "/_api/gharial" .. (query or ""), { body = body })
  end

  local function fail(res, status, num)
    assert.same({ status, true, num }, { res.status, res.json and res.json.error, res.json and res.json.errorNum })
  end

  describe("collection renames", function()
    it("renaming a collection over HTTP renames it inside the graph definition", function()
      local g, e, a = uniq("g"), uniq("e"), uniq("a")
      assert.equal(202, create_graph({ name = g, edgeDefinitions = { { collection = e, from = { a }, to = { a } } } }).status)
      local renamed = uniq("renamed")
      assert.equal(200, req("PUT", "/_api/collection/" .. e .. "/rename", { body = { name = renamed } }).status)
      local defs = req("GET", "/_api/gharial/" .. g).json.graph.edgeDefinitions
      assert.equal(renamed, defs[1].collection)
    end)
  end)

  describe("graph definitions", function()
    it("creates a graph and its missing collections, lists, reads and drops it", function()
      local g, e, a, b, o = uniq("g"), uniq("e"), uniq("a"), uniq("b"), uniq("o")
      local res = create_graph({ name = g, edgeDefinitions = { { collection = e, from = { b, a, a }, to = { b } } },
        orphanCollections = { o } })
      assert.equal(202, res.status)
      assert.is_false(res.json.error)
      assert.equal(202, res.json.code)
      local graph = res.json.graph
      assert.same({ g, g, "_graphs/" .. g }, { graph.name, graph._key, graph._id })
      assert.equal(graph._rev, res.headers.etag)
      assert.same({ { collection = e, from = sorted{ a, b }, to = { b } } }, graph.edgeDefinitions)
      assert.same({ o }, graph.orphanCollections)
      assert.is_nil(graph.numberOfShards)
      assert.same({ 3, 2, 2, 2 }, { collection_type(e), collection_type(a), collection_type(b), collection_type(o) })

      res = req("GET", "/_api/gharial/" .. g)
      assert.equal(200, res.status)
      assert.same(graph, res.json.graph)

      res = req("GET", "/_api/gharial")
      assert.equal(200, res.status)
      local found
      for _, x in ipairs(res.json.graphs) do if x.name == g then found = x end end
      assert.same(graph, found)

      res = req("DELETE", "/_api/gharial/" .. g)
      assert.same({ 202, true }, { res.status, res.json.removed })
      fail(req("GET", "/_api/gharial/" .. g), 404, 1924)
      assert.equal("graph '" .. g .. "' not found", req("GET", "/_api/gharial/" .. g).json.errorMessage)
      assert.equal(3, collection_type(e)) -- collections stay without dropCollections
      fail(req("DELETE", "/_api/gharial/" .. g), 404, 1924)
    end)

    it("answers 201 with waitForSync and creates the collections with waitForSync", function()
      local g, e, v = uniq("g"), uniq("e"), uniq("v")
      local res = create_graph({ name = g, edgeDefinitions = { { collection = e, from = { v }, to = { v } } } },
        "?waitForSync=true")
      assert.same({ 201, 201 }, { res.status, res.json.code })
      assert.is_true(req("GET", "/_api/collection/" .. v .. "/properties").json.waitForSync)
    end)

    it("sorts edge definitions and accepts an empty graph", function()
      local g = uniq("g")
      local res = create_graph({ name = g, edgeDefinitions = {
        { collection = "zz" .. g, from = { "v" .. g }, to = { "v" .. g } },
        { collection = "aa" .. g, from = { "v" .. g }, to = { "w" .. g } } } })
      assert.equal(202, res.status)
      assert.same({ "aa" .. g, "zz" .. g }, { res.json.graph.edgeDefinitions[1].collection,
        res.json.graph.edgeDefinitions[2].collection })
      res = create_graph({ name = uniq("empty") })
      assert.equal(202, res.status)
      assert.same({ {}, {} }, { res.json.graph.edgeDefinitions, res.json.graph.orphanCollections })
      assert.equal("[]", res.body:match('"edgeDefinitions":(%[%])'))
    end)

    it("echoes SmartGraph and SatelliteGraph options like a single server", function()
      local g = uniq("smart")
      local res = create_graph({ name = g, isSmart = true, orphanCollections = { uniq("so") },
        edgeDefinitions = { { collection = uniq("se"), from = { "start" .. g }, to = { "end" .. g } } },
        options = { replicationFactor = 2, numberOfShards = 9, smartGraphAttribute = "region", isDisjoint = true,
          satellites = { "end" .. g } } })
      assert.equal(202, res.status)
      local x = res.json.graph
      assert.same({ 9, 2, 1, 1, true, false, "start" .. g, "region", true },
        { x.numberOfShards, x.replicationFactor, x.minReplicationFactor, x.writeConcern, x.isSmart,
          x.isSatellite, x.initial, x.smartGraphAttribute, x.isDisjoint })
      assert.same(x, req("GET", "/_api/gharial/" .. g).json.graph)

      g = uniq("sat")
      res = create_graph({ name = g, edgeDefinitions = { { collection = uniq("sat_e"), from = { "a" .. g },
        to = { "b" .. g } } }, options = { replicationFactor = "satellite" } })
      x = res.json.graph
      assert.same({ 1, "satellite", false, true, "a" .. g }, { x.numberOfShards, x.replicationFactor, x.isSmart,
        x.isSatellite, x.initial })
      assert.is_nil(x.writeConcern)
    end)

    it("rejects bad definitions with ArangoDB's errors", function()
      fail(create_graph({ edgeDefinitions = {} }), 400, 1922)
      fail(create_graph({ name = 12 }), 400, 1922)
      fail(create_graph({ name = "bad/name" }), 400, 1221)
      fail(req("POST", "/_api/gharial", { body = "{nope" }), 400, 600)
      local g = uniq("g")
      fail(create_graph({ name = g, edgeDefinitions = "x" }), 400, 1901)
      fail(create_graph({ name = g, edgeDefinitions = { { collection = "e", from = { "a" } } } }), 400, 1923)
      fail(create_graph({ name = g, edgeDefinitions = { { collection = "e", from = {}, to = { "a" } } } }), 400, 1923)
      fail(create_graph({ name = g, edgeDefinitions = { { collection = "e", from = { 1 }, to = { "a" } } } }),
        400, 1923)
      fail(create_graph({ name = g, edgeDefinitions = { 5 } }), 400, 1923)
      fail(create_graph({ name = g, orphanCollections = "o" }), 400, 1901)
      fail(create_graph({ name = g, orphanCollections = { 7 } }), 400, 1943)
      local e = uniq("e")
      fail(create_graph({ name = g, edgeDefinitions = { { collection = e, from = { "a" }, to = { "b" } },
        { collection = e, from = { "c" }, to = { "d" } } } }), 400, 1920)
      -- a document collection cannot be an edge collection
      local doc = uniq("doccol")
      assert.equal(200, req("POST", "/_api/collection", { body = { name = doc } }).status)
      fail(create_graph({ name = g, edgeDefinitions = { { collection = doc, from = { "a" }, to = { "b" } } } }),
        400, 1944)
      fail(create_graph({ name = g, edgeDefinitions = { { collection = e, from = { "_bad" }, to = { "b" } } } }),
        400, 1208)
      -- nothing was created by the failed attempts
      fail(req("GET", "/_api/gharial/" .. g), 404, 1924)
      assert.is_nil(collection_type(e))

      assert.equal(202, create_graph({ name = g }).status)
      fail(create_graph({ name = g }), 409, 1925)
    end)

    it("rejects an edge definition that conflicts with another graph's (1921)", function()
      local e, a, b = uniq("e"), uniq("a"), uniq("b")
      assert.equal(202, create_graph({ name = uniq("g"), edgeDefinitions = { { collection = e, from = { a },
        to = { b } } } }).status)
      local g2 = uniq("g")
      fail(create_graph({ name = g2, edgeDefinitions = { { collection = e, from = { a }, to = { a } } } }), 400, 1921)
      -- the identical definition may be shared
      assert.equal(202, create_graph({ name = g2, edgeDefinitions = { { collection = e, from = { a },
        to = { b } } } }).status)
    end)

    it("drops a graph with dropCollections, keeping collections other graphs use", function()
      local e1, e2, a, b, o = uniq("e"), uniq("e"), uniq("a"), uniq("b"), uniq("o")
      local g1, g2 = uniq("g"), uniq("g")
      assert.equal(202, create_graph({ name = g1, orphanCollections = { o },
        edgeDefinitions = { { collection = e1, from = { a }, to = { b } } } }).status)
      assert.equal(202, create_graph({ name = g2, edgeDefinitions = { { collection = e2, from = { b }, to = { b } } } })
        .status)
      local res = req("DELETE", "/_api/gharial/" .. g1 .. "?dropCollections=true")
      assert.same({ 202, true }, { res.status, res.json.removed })
      assert.same({ true, true, true }, { collection_type(e1) == nil, collection_type(a) == nil,
        collection_type(o) == nil })
      assert.equal(2, collection_type(b)) -- still used by g2
      assert.equal(200, req("GET", "/_api/gharial/" .. g2).status)
    end)
  end)

  -- A fresh graph `g` with one edge definition e: a -> b; returns g, e, a, b.
  local function new_graph()
    local g, e, a, b = uniq("g"), uniq("e"), uniq("a"), uniq("b")
    assert.equal(202, create_graph({ name = g, edgeDefinitions = { { collection = e, from = { a }, to = { b } } } })
      .status)
    return g, e, a, b
  end

  describe("vertex collections", function()
    local g, e, a, b
    before_each(function() g, e, a, b = new_graph() end)

    it("lists, adds (creating the collection) and removes orphans", function()
      local res = req("GET", "/_api/gharial/" .. g .. "/vertex")
      assert.same({ 200, sorted{ a, b } }, { res.status, res.json.collections })
      local o = uniq("o")
      res = req("POST", "/_api/gharial/" .. g .. "/vertex", { body = { collection = o } })
      assert.equal(202, res.status)
      assert.same({ o }, res.json.graph.orphanCollections)
      assert.equal(res.json.graph._rev, res.headers.etag)
      assert.equal(2, collection_type(o))
      res = req("GET", "/_api/gharial/" .. g .. "/vertex")
      assert.same(sorted{ a, b, o }, res.json.collections)

      fail(req("POST", "/_api/gharial/" .. g .. "/vertex", { body = { collection = o } }), 400, 1938)
      fail(req("POST", "/_api/gharial/" .. g .. "/vertex", { body = { collection = a } }), 400, 1929)
      fail(req("POST", "/_api/gharial/" .. g .. "/vertex", { body = { collection = e } }), 400, 1927)
      fail(req("POST", "/_api/gharial/" .. g .. "/vertex?createCollection=false",
        { body = { collection = uniq("missing") } }), 404, 1926)
      fail(req("POST", "/_api/gharial/nosuchgraph/vertex", { body = { collection = "x" } }), 404, 1924)

      fail(req("DELETE", "/_api/gharial/" .. g .. "/vertex/" .. a), 400, 1928)
      res = req("DELETE", "/_api/gharial/" .. g .. "/vertex/" .. o)
      assert.same({ 202, {} }, { res.status, res.json.graph.orphanCollections })
      assert.equal(2, collection_type(o)) -- kept without dropCollection
      fail(req("DELETE", "/_api/gharial/" .. g .. "/vertex/" .. o), 400, 1928)
    end)

    it("drops a removed orphan with dropCollection unless another graph uses it", function()
      local o, shared = uniq("o"), uniq("shared")
      req("POST", "/_api/gharial/" .. g .. "/vertex", { body = { collection = o } })
      req("POST", "/_api/gharial/" .. g .. "/vertex", { body = { collection = shared } })
      assert.equal(202, create_graph({ name = uniq("other"), orphanCollections = { shared } }).status)
      assert.equal(202, req("DELETE", "/_api/gharial/" .. g .. "/vertex/" .. o .. "?dropCollection=true").status)
      assert.is_nil(collection_type(o))
      assert.equal(202, req("DELETE", "/_api/gharial/" .. g .. "/vertex/" .. shared .. "?dropCollection=true")
        .status)
      assert.equal(2, collection_type(shared))
    end)
  end)

  describe("edge definitions", function()
    local g, e, a, b
    before_each(function() g, e, a, b = new_graph() end)

    it("lists and adds edge definitions (promoting orphans)", function()
      local res = req("GET", "/_api/gharial/" .. g .. "/edge")
      assert.same({ 200, { e } }, { res.status, res.json.collections })
      local o = uniq("o")
      req("POST", "/_api/gharial/" .. g .. "/vertex", { body = { collection = o } })
      local e2 = uniq("e")
      res = req("POST", "/_api/gharial/" .. g .. "/edge", { body = { collection = e2, from = { b }, to = { o } } })
      assert.equal(202, res.status)
      assert.same({ {}, 2 }, { res.json.graph.orphanCollections, #res.json.graph.edgeDefinitions })
      assert.equal(3, collection_type(e2))
      assert.same(sorted{ e, e2 }, req("GET", "/_api/gharial/" .. g .. "/edge").json.collections)

      fail(req("POST", "/_api/gharial/" .. g .. "/edge", { body = { collection = e2, from = { a }, to = { a } } }),
        400, 1920)
      fail(req("POST", "/_api/gharial/" .. g .. "/edge", { body = { collection = uniq("e"), to = { a } } }), 400, 1923)
      local other = uniq("g")
      fail(req("POST", "/_api/gharial/" .. other .. "/edge", { body = { collection = e, from = { a }, to = { b } } }),
        404, 1924)
      assert.equal(202, create_graph({ name = other }).status)
      fail(req("POST", "/_api/gharial/" .. other .. "/edge", { body = { collection = e, from = { b }, to = { b } } }),
        400, 1921)
    end)

    it("replaces an edge definition in every graph that has it", function()
      local g2 = uniq("g")
      assert.equal(202, create_graph({ name = g2, edgeDefinitions = { { collection = e, from = { a }, to = { b } } } })
        .status)
      local c = uniq("c")
      local res = req("PUT", "/_api/gharial/" .. g .. "/edge/" .. e .. "?waitForSync=true",
        { body = { collection = e, from = { a }, to = { c } } })
      assert.equal(202, res.status)
      assert.same({ { collection = e, from = { a }, to = { c } } }, res.json.graph.edgeDefinitions)
      assert.same({ b }, res.json.graph.orphanCollections) -- b is no longer used: an orphan now
      assert.equal(2, collection_type(c))
      local other = req("GET", "/_api/gharial/" .. g2).json.graph
      assert.same({ { collection = e, from = { a }, to = { c } } }, other.edgeDefinitions)

      fail(req("PUT", "/_api/gharial/" .. g .. "/edge/" .. uniq("nope"),
        { body = { collection = "nope", from = { a }, to = { b } } }), 404, 1930)
      fail(req("PUT", "/_api/gharial/" .. g .. "/edge/" .. e, { body = { collection = e, from = {}, to = { b } } }),
        400, 1923)
    end)

    it("removes an edge definition, with dropCollections when nothing else uses it", function()
      local res = req("DELETE", "/_api/gharial/" .. g .. "/edge/" .. e)
      assert.equal(202, res.status)
      assert.same({ {}, sorted{ a, b } }, { res.json.graph.edgeDefinitions, res.json.graph.orphanCollections })
      assert.equal(3, collection_type(e))
      fail(req("DELETE", "/_api/gharial/" .. g .. "/edge/" .. e), 404, 1930)

      local e2 = uniq("e")
      req("POST", "/_api/gharial/" .. g .. "/edge", { body = { collection = e2, from = { a }, to = { b } } })
      res = req("DELETE", "/_api/gharial/" .. g .. "/edge/" .. e2 .. "?dropCollections=true")
      assert.equal(202, res.status)
      assert.is_nil(collection_type(e2))
    end)
  end)

  describe("vertices and edges", function()
    local g, e, a, b, base
    before_each(function()
      g, e, a, b = uniq("g"), uniq("e"), uniq("a"), uniq("b")
      assert.equal(202, create_graph({ name = g, edgeDefinitions = { { collection = e, from = { a }, to = { b } } } })
        .status)
      base = "/_api/gharial/" .. g
    end)

    it("creates, reads, updates, replaces and removes vertices", function()
      local res = req("POST", base .. "/vertex/" .. a .. "?returnNew=true", { body = { _key = "k1", x = 1, y = 2 } })
      assert.same({ 202, 202, a .. "/k1", "k1", 1 }, { res.status, res.json.code, res.json.vertex._id,
        res.json.vertex._key, res.json.new.x })
      local rev = res.json.vertex._rev
      assert.equal(rev, res.headers.etag)
      res = req("POST", base .. "/vertex/" .. a .. "?waitForSync=true", { body = { _key = "k2" } })
      assert.equal(201, res.status)
      fail(req("POST", base .. "/vertex/" .. a, { body = { _key = "k1" } }), 409, 1210)
      fail(req("POST", base .. "/vertex/" .. a, { body = { 1, 2 } }), 400, 1227)
      fail(req("POST", base .. "/vertex/" .. uniq("notingraph"), { body = {} }), 404, 1949)
      fail(req("POST", "/_api/gharial/nosuch/vertex/" .. a, { body = {} }), 404, 1924)

      res = req("GET", base .. "/vertex/" .. a .. "/k1")
      assert.same({ 200, 1, rev }, { res.status, res.json.vertex.x, res.headers.etag })
      assert.equal(304, req("GET", base .. "/vertex/" .. a .. "/k1", { headers = { ["if-none-match"] = rev } }).status)
      res = req("GET", base .. "/vertex/" .. a .. "/k1", { headers = { ["if-match"] = '"_nope----"' } })
      assert.same({ 412, 1200, rev }, { res.status, res.json.errorNum, res.json._rev })
      fail(req("GET", base .. "/vertex/" .. a .. "/nope"), 404, 1202)

      res = req("PATCH", base .. "/vertex/" .. a .. "/k1?keepNull=false&returnOld=true&returnNew=true",
        { body = { x = json.null, z = 3 } })
      assert.same({ 202, rev, 1 }, { res.status, res.json.vertex._oldRev, res.json.old.x })
      assert.same({ true, 2, 3 }, { res.json.new.x == nil, res.json.new.y, res.json.new.z })
      local rev2 = res.json.vertex._rev
      assert.equal(rev2, res.headers.etag)
      fail(req("PATCH", base .. "/vertex/" .. a .. "/k1?rev=" .. rev, { body = { w = 1 } }), 412, 1200)
      fail(req("PATCH", base .. "/vertex/" .. a .. "/k1", { body = { w = 1 }, headers = { ["if-match"] = rev } }),
        412, 1200)
      res = req("PATCH", base .. "/vertex/" .. a .. "/k1?waitForSync=true", { body = { w = json.null },
        headers = { ["if-match"] = rev2 } })
      assert.equal(200, res.status)
      res = req("GET", base .. "/vertex/" .. a .. "/k1")
      assert.equal(json.null, res.json.vertex.w) -- keepNull defaults to true

      res = req("PUT", base .. "/vertex/" .. a .. "/k1?returnNew=true", { body = { only = true } })
      assert.same({ 202, true, true }, { res.status, res.json.new.only, res.json.new.y == nil })
      fail(req("PUT", base .. "/vertex/" .. a .. "/missing", { body = {} }), 404, 1202)

      fail(req("DELETE", base .. "/vertex/" .. a .. "/k1", { headers = { ["if-match"] = rev } }), 412, 1200)
      res = req("DELETE", base .. "/vertex/" .. a .. "/k1?returnOld=true")
      assert.same({ 202, true, true }, { res.status, res.json.removed, res.json.old.only })
      fail(req("DELETE", base .. "/vertex/" .. a .. "/k1"), 404, 1202)
      res = req("DELETE", base .. "/vertex/" .. a .. "/k2?waitForSync=true")
      assert.same({ 200, true }, { res.status, res.json.removed })
    end)

    it("checks edges against the graph", function()
      req("POST", base .. "/vertex/" .. a, { body = { _key = "x" } })
      req("POST", base .. "/vertex/" .. b, { body = { _key = "y" } })
      local res = req("POST", base .. "/edge/" .. e .. "?returnNew=true",
        { body = { _from = a .. "/x", _to = b .. "/y", w = 1 } })
      assert.same({ 202, a .. "/x", 1 }, { res.status, res.json.new._from, res.json.new.w })
      local key, rev = res.json.edge._key, res.json.edge._rev
      assert.equal(rev, res.headers.etag)

      fail(req("POST", base .. "/edge/" .. e, { body = { _from = a .. "/x" } }), 400, 1233)
      fail(req("POST", base .. "/edge/" .. e, { body = { _from = "nocollection", _to = b .. "/y" } }), 400, 1233)
      res = req("POST", base .. "/edge/" .. e, { body = { _from = "elsewhere/x", _to = b .. "/y" } })
      fail(res, 404, 1947)
      assert.equal("referenced _from collection 'elsewhere' is not part of the graph", res.json.errorMessage)
      fail(req("POST", base .. "/edge/" .. e, { body = { _from = a .. "/x", _to = b .. "/missing" } }), 404, 1202)
      fail(req("POST", base .. "/edge/" .. uniq("notused"), { body = { _from = a .. "/x", _to = b .. "/y" } }),
        404, 1930)
      fail(req("GET", base .. "/edge/" .. uniq("notused") .. "/" .. key), 404, 1930)

      res = req("GET", base .. "/edge/" .. e .. "/" .. key)
      assert.same({ 200, b .. "/y", rev }, { res.status, res.json.edge._to, res.headers.etag })

      -- PATCH checks only what it is given
      res = req("PATCH", base .. "/edge/" .. e .. "/" .. key, { body = { w = 2 } })
      assert.same({ 202, rev }, { res.status, res.json.edge._oldRev })
      fail(req("PATCH", base .. "/edge/" .. e .. "/" .. key, { body = { _to = "elsewhere/y" } }), 404, 1947)
      -- PUT needs both ends
      fail(req("PUT", base .. "/edge/" .. e .. "/" .. key, { body = { w = 3 } }), 400, 1233)
      res = req("PUT", base .. "/edge/" .. e .. "/" .. key .. "?returnOld=true",
        { body = { _from = a .. "/x", _to = b .. "/y", w = 3 } })
      assert.same({ 202, 2 }, { res.status, res.json.old.w })

      res = req("DELETE", base .. "/edge/" .. e .. "/" .. key .. "?returnOld=true")
      assert.same({ 202, true, 3 }, { res.status, res.json.removed, res.json.old.w })
      fail(req("GET", base .. "/edge/" .. e .. "/" .. key), 404, 1202)
    end)

    it("removes every edge touching a removed vertex, in any graph using its collection", function()
      -- g: e (a -> b); g2: e2 (b -> c); an unrelated edge collection keeps its edges
      local e2, c = uniq("e"), uniq("c")
      assert.equal(202, create_graph({ name = uniq("g"), edgeDefinitions = { { collection = e2, from = { b },
        to = { c } } } }).status)
      local plain = uniq("plain")
      assert.equal(200, req("POST", "/_api/collection", { body = { name = plain, type = 3 } }).status)
      for _, v in ipairs{ { a, "a1" }, { b, "b1" }, { b, "b2" }, { c, "c1" } } do
        req("POST", "/_api/document/" .. v[1], { body = { _key = v[2] } })
      end
      local function edge(col, from, to)
        assert.equal(202, req("POST", "/_api/document/" .. col, { body = { _from = from, _to = to } }).status)
      end
      edge(e, a .. "/a1", b .. "/b1")
      edge(e, a .. "/a1", b .. "/b2")
      edge(e2, b .. "/b1", c .. "/c1")
      edge(e2, b .. "/b2", c .. "/c1")
      edge(plain, b .. "/b1", c .. "/c1")
      local function count(col)
        return req("GET", "/_api/collection/" .. col .. "/count").json.count
      end

      -- a failed removal (wrong revision) removes nothing
      fail(req("DELETE", base .. "/vertex/" .. b .. "/b1", { headers = { ["if-match"] = "_nope----" } }), 412, 1200)
      assert.same({ 2, 2 }, { count(e), count(e2) })

      local res = req("DELETE", base .. "/vertex/" .. b .. "/b1")
      assert.same({ 202, true }, { res.status, res.json.removed })
      assert.same({ 1, 1, 1 }, { count(e), count(e2), count(plain) })
      local left = req("GET", "/_api/edges/" .. e2 .. "?vertex=" .. c .. "/c1&direction=in").json.edges
      assert.same({ b .. "/b2" }, { left[1]._from })
      fail(req("GET", "/_api/document/" .. b .. "/b1"), 404, 1202)
    end)
  end)
end)

describe("devserver named graphs in AQL over HTTP", function()
  local srv, http, req
  -- cities A..E joined by two edge collections of graph "g" (roads, rails); "shortcut" is an
  -- edge collection outside the graph whose A -> E edge must never show up through GRAPH "g".
  local ROADS = { { "A", "B", 1 }, { "B", "C", 1 }, { "C", "E", 1 }, { "A", "D", 2 }, { "D", "E", 1 } }
  local RAILS = { { "A", "C", 1 }, { "B", "D", 1 } }

  setup(function()
    srv = ds.start{ auth = false }
    http = core.http{}
    req = client(http, srv.url)
    local res = req("POST", "/_api/gharial", { body = { name = "g", edgeDefinitions = {
      { collection = "roads", from = { "cities" }, to = { "cities" } },
      { collection = "rails", from = { "cities" }, to = { "cities" } } } } })
    assert.equal(202, res.status)
    assert.equal(200, req("POST", "/_api/collection", { body = { name = "shortcut", type = 3 } }).status)
    for _, k in ipairs{ "A", "B", "C", "D", "E" } do
      assert.equal(202, req("POST", "/_api/gharial/g/vertex/cities", { body = { _key = k } }).status)
    end
    for col, list in pairs{ roads = ROADS, rails = RAILS } do
      for _, r in ipairs(list) do
        assert.equal(202, req("POST", "/_api/gharial/g/edge/" .. col, { body = { _from = "cities/" .. r[1],
          _to = "cities/" .. r[2], w = r[3] } }).status)
      end
    end
    assert.equal(202, req("POST", "/_api/document/shortcut", { body = { _from = "cities/A", _to = "cities/E",
      w = 0 } }).status)
  end)
  teardown(function()
    if http then http:close() end
    if srv then srv.stop() end
  end)

  local function query(text, bind)
    local res = req("POST", "/_api/cursor", { body = { query = text, bindVars = bind or {} } })
    return res
  end
  local function rows(text, bind)
    local res = query(text, bind)
    assert.equal(201, res.status, res.body)
    return res.json.result
  end

  -- Each query runs once with GRAPH (a literal and a bind parameter) and once with the graph's
  -- edge collections listed; the results must be identical and not empty.
  local KINDS = {
    traversal = "FOR v, e, p IN 1..3 OUTBOUND 'cities/A' %s RETURN CONCAT_SEPARATOR('-', p.vertices[*]._key)",
    shortest_path = "FOR v IN OUTBOUND SHORTEST_PATH 'cities/A' TO 'cities/E' %s OPTIONS { weightAttribute: 'w' } RETURN v._key",
    k_shortest_paths = "FOR p IN OUTBOUND K_SHORTEST_PATHS 'cities/A' TO 'cities/E' %s OPTIONS { weightAttribute: 'w' } LIMIT 3 RETURN { path: p.vertices[*]._key, weight: p.weight }",
    k_paths = "FOR p IN 1..4 OUTBOUND K_PATHS 'cities/A' TO 'cities/E' %s RETURN CONCAT_SEPARATOR('-', p.vertices[*]._key)",
    all_shortest_paths = "FOR p IN OUTBOUND ALL_SHORTEST_PATHS 'cities/A' TO 'cities/E' %s RETURN CONCAT_SEPARATOR('-', p.vertices[*]._key)",
  }
  for _, kind in ipairs{ "traversal", "shortest_path", "k_shortest_paths", "k_paths", "all_shortest_paths" } do
    it("resolves GRAPH \"g\" in " .. kind .. " to the graph's edge collections", function()
      local text = KINDS[kind]
      local by_graph = rows(text:format('GRAPH "g"'))
      assert.is_true(#by_graph > 0)
      assert.same(by_graph, rows(text:format("GRAPH @graph"), { graph = "g" }))
      local by_collections = rows(text:format("rails, roads"))
      table.sort(by_graph, function(a, b) return json.encode(a) < json.encode(b) end)
      table.sort(by_collections, function(a, b) return json.encode(a) < json.encode(b) end)
      assert.same(by_collections, by_graph)
      -- the shortcut outside the graph changes the answer when it is listed explicitly
      assert.are_not.same(by_graph, rows(text:format("rails, roads, shortcut")))
    end)
  end

  it("gives the expected paths through the graph", function()
    assert.same({ "A", "C", "E" }, rows(KINDS.shortest_path:format('GRAPH "g"')))
    assert.same({ "A-B-C-E", "A-B-D-E", "A-C-E", "A-D-E" },
      sorted(rows(KINDS.k_paths:format('GRAPH "g"'))))
    assert.same({ "A-C-E", "A-D-E" }, sorted(rows(KINDS.all_shortest_paths:format('GRAPH "g"'))))
    local k = rows(KINDS.k_shortest_paths:format('GRAPH "g"'))
    assert.same({ { "A", "C", "E" }, 2 }, { k[1].path, k[1].weight })
  end)

  it("accepts WITH before a graph traversal", function()
    assert.same({ "B", "C", "D" }, sorted(rows("WITH cities FOR v IN 1 OUTBOUND 'cities/A' GRAPH 'g' RETURN v._key")))
    assert.same({ "B", "C", "D" }, sorted(rows("WITH cities, roads FOR v IN 1 OUTBOUND 'cities/A' roads, rails RETURN v._key")))
  end)

  it("follows changes of the graph definition", function()
    assert.equal(202, req("DELETE", "/_api/gharial/g/edge/rails").status)
    assert.same({ "B", "D" }, sorted(rows("FOR v IN 1 OUTBOUND 'cities/A' GRAPH 'g' RETURN v._key")))
    assert.equal(202, req("POST", "/_api/gharial/g/edge", { body = { collection = "rails", from = { "cities" },
      to = { "cities" } } }).status)
    assert.same({ "B", "C", "D" }, sorted(rows("FOR v IN 1 OUTBOUND 'cities/A' GRAPH 'g' RETURN v._key")))
  end)

  it("reports an unknown graph as 404/1924", function()
    for _, text in ipairs{
      "FOR v IN 1 OUTBOUND 'cities/A' GRAPH 'nope' RETURN v",
      "FOR v IN OUTBOUND SHORTEST_PATH 'cities/A' TO 'cities/E' GRAPH 'nope' RETURN v",
      "FOR p IN OUTBOUND K_PATHS 'cities/A' TO 'cities/E' GRAPH 'nope' RETURN p",
    } do
      local res = query(text)
      assert.same({ 404, 1924 }, { res.status, res.json.errorNum }, text)
    end
  end)
end)

describe("devserver graphs persistence", function()
  local dir
  before_each(function() dir = tmpdir() end)
  after_each(function() os.execute("rm -rf '" .. dir .. "'") end)

  it("keeps graph definitions and graph writes across a restart", function()
    local srv = ds.start{ auth = false, data_dir = dir }
    local http = core.http{}
    local req = client(http, srv.url)
    local ok, err = pcall(function()
      assert.equal(202, req("POST", "/_api/gharial", { body = { name = "pg", orphanCollections = { "po" },
        edgeDefinitions = { { collection = "pe", from = { "pv" }, to = { "pv" } } } } }).status)
      assert.equal(202, req("POST", "/_api/gharial/pg/edge", { body = { collection = "pe2", from = { "pv" },
        to = { "po" } } }).status)
      assert.equal(202, req("POST", "/_api/gharial/pg/vertex/pv", { body = { _key = "v1" } }).status)
      assert.equal(202, req("POST", "/_api/gharial/pg/edge/pe", { body = { _from = "pv/v1", _to = "pv/v1" } }).status)
    end)
    local before = ok and req("GET", "/_api/gharial/pg").json.graph
    http:close()
    srv.stop()
    assert(ok, err)

    srv = ds.start{ auth = false, data_dir = dir }
    http = core.http{}
    req = client(http, srv.url)
    ok, err = pcall(function()
      local res = req("GET", "/_api/gharial/pg")
      assert.equal(200, res.status)
      assert.same(before, res.json.graph)
      assert.same({ { collection = "pe", from = { "pv" }, to = { "pv" } },
        { collection = "pe2", from = { "pv" }, to = { "po" } } }, res.json.graph.edgeDefinitions)
      assert.same({}, res.json.graph.orphanCollections)
      assert.equal(1, req("GET", "/_api/collection/pe/count").json.count)
      -- the cascade works after the restart too
      assert.equal(202, req("DELETE", "/_api/gharial/pg/vertex/pv/v1").status)
      assert.equal(0, req("GET", "/_api/collection/pe/count").json.count)
    end)
    http:close()
    srv.stop()
    assert(ok, err)
  end)
end)

describe("devserver graphs with authentication", function()
  it("needs read access to read and write access to change graphs", function()
    local srv = ds.start{ auth = true, root_password = "pw" }
    local http = core.http{}
    local req = client(http, srv.url)
    local function as(user, pw)
      return { authorization = "Basic " .. core.base64_encode(user .. ":" .. pw) }
    end
    local ok, err = pcall(function()
      assert.equal(401, req("GET", "/_api/gharial").status)
      assert.equal(202, req("POST", "/_api/gharial", { headers = as("root", "pw"),
        body = { name = "ag", edgeDefinitions = { { collection = "ae", from = { "av" }, to = { "av" } } } } }).status)
      assert.equal(201, req("POST", "/_api/user", { headers = as("root", "pw"),
        body = { user = "reader", passwd = "r" } }).status)
      assert.equal(200, req("PUT", "/_api/user/reader/database/_system", { headers = as("root", "pw"),
        body = { grant = "ro" } }).status)
      local res = req("GET", "/_api/gharial/ag", { headers = as("reader", "r") })
      assert.equal(200, res.status)
      res = req("POST", "/_api/gharial", { headers = as("reader", "r"), body = { name = "nope" } })
      assert.same({ 403, 11 }, { res.status, res.json.errorNum })
      res = req("POST", "/_api/gharial/ag/vertex/av", { headers = as("reader", "r"), body = {} })
      assert.same({ 403, 11 }, { res.status, res.json.errorNum })
      res = req("DELETE", "/_api/gharial/ag", { headers = as("reader", "r") })
      assert.same({ 403, 11 }, { res.status, res.json.errorNum })
    end)
    http:close()
    srv.stop()
    assert(ok, err)
  end)
end)

describe("devserver graphs store API", function()
  local store = require "arango.devserver.store"
  local graphs = require "arango.devserver.store.graphs"

  it("exposes named graphs to the AQL engine", function()
    local s = store.new{ sweep = false }
    local db = s:database("_system")
    assert.is_nil(graphs.get(db, "sg"))
    assert.is_nil(graphs.edge_collections(db, "sg"))
    graphs.create(db, { name = "sg", orphanCollections = { "lonely" }, edgeDefinitions = {
      { collection = "knows", from = { "people" }, to = { "people" } },
      { collection = "bought", from = { "people" }, to = { "things", "books" } } } })
    local g = graphs.get(db, "sg")
    assert.equal("sg", g.name)
    assert.same({ { collection = "bought", from = { "people" }, to = { "books", "things" } },
      { collection = "knows", from = { "people" }, to = { "people" } } }, g.edge_definitions)
    assert.same({ "lonely" }, g.orphan_collections)
    assert.same({ "bought", "knows" }, graphs.edge_collections(db, "sg"))
    assert.same({ "books", "lonely", "people", "things" }, graphs.vertex_collections(db, "sg"))
    assert.equal(1, #graphs.list(db))
    assert.equal(3, db:collection("knows").type)
    local ok, e = pcall(graphs.create, db, { name = "sg" })
    assert.is_false(ok)
    assert.same({ 409, 1925 }, { e.status, e.num })
    s:close()
  end)

  it("follows collection renames in the definitions", function()
    local s = store.new{ sweep = false }
    local db = s:database("_system")
    graphs.create(db, { name = "rg", orphanCollections = { "o" }, edgeDefinitions = {
      { collection = "e", from = { "a" }, to = { "b" } } } })
    graphs.create(db, { name = "untouched", orphanCollections = { "x" } })
    assert.equal(1, graphs.rename_collection(db, "a", "z"))
    assert.equal(1, graphs.rename_collection(db, "e", "e2"))
    assert.same({ { collection = "e2", from = { "z" }, to = { "b" } } }, graphs.get(db, "rg").edge_definitions)
    assert.equal(0, graphs.rename_collection(db, "nothing", "else"))
    s:close()
  end)

  it("logs a vertex removal and its edge cascade as one unit (a torn tail keeps them all)", function()
    local dir = tmpdir()
    local s = store.new{ data_dir = dir, sweep = false }
    local db = s:database("_system")
    graphs.create(db, { name = "cg", edgeDefinitions = {
      { collection = "links", from = { "nodes" }, to = { "nodes" } } } })
    local nodes, links = db:collection("nodes"), db:collection("links")
    for _, k in ipairs{ "a", "b", "c" } do nodes:insert{ _key = k } end
    links:insert{ _key = "ab", _from = "nodes/a", _to = "nodes/b" }
    links:insert{ _key = "ca", _from = "nodes/c", _to = "nodes/a" }
    graphs.remove_document(db, graphs.get(db, "cg"), nodes, "a", {})
    assert.same({ 2, 0 }, { nodes:count(), links:count() })
    s:close()
    -- what a kill -9 while writing the last log line leaves: that line without its end
    local path = dir .. "/wal.jsonl"
    local f = assert(io.open(path, "rb"))
    local text = f:read("a")
    f:close()
    local cut = text:sub(1, -2):match("^(.*\n)") or ""
    f = assert(io.open(path, "wb"))
    f:write(cut .. text:sub(#cut + 1, #cut + 10))
    f:close()
    local s2 = store.new{ data_dir = dir, sweep = false }
    local db2 = s2:database("_system")
    local counts = { db2:collection("nodes"):count(), db2:collection("links"):count() }
    s2:close()
    os.execute("rm -rf '" .. dir .. "'")
    assert.same({ 3, 2 }, counts)
  end)
end)
