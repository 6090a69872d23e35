-- Named graphs through the driver against a live server (devserver or ARANGO_URL): graph
-- management, vertex collections, edge definitions, vertices and edges through the graph API,
-- traversals, and examples/graphs.lua.
local driver = require "spec.support.driver"
local errors = require "arango.errors"

-- Asserts that fn(...) raises an error of `class` (and, when given, HTTP status and errorNum).
local function raises(class, http_code, error_code, fn, ...)
  local err = driver.raises(fn, ...)
  assert.is_true(errors.is(err, class), "expected " .. class .. ", got " .. tostring(err))
  if http_code then assert.equal(http_code, err.http_code) end
  if error_code then assert.equal(error_code, err.error_code) end
  return err
end

local function keys_of(list)
  local out = {}
  for i, v in ipairs(list) do out[i] = v._key end
  return out
end

local function sorted(list)
  local out = {}
  for i, v in ipairs(list) do out[i] = v end
  table.sort(out)
  return out
end

local function school_definition()
  return { edge_collection = "teach", from_vertex_collections = { "teachers" },
    to_vertex_collections = { "lectures" } }
end

describe("driver graph requests", function()
  local arango = require "arango"
  local json = require "arango.json"

  -- A transport that records requests and answers with `body` (an arango.core-like engine).
  local function recording(body)
    local t = { log = {} }
    function t:request(req)
      self.log[#self.log + 1] = req
      return { status = 200, reason = "OK", headers = { ["content-type"] = "application/json" },
        body = json.encode(body) }
    end
    return t, arango.client{ hosts = "http://h:1", http_client = t }:db("d")
  end

  it("builds graph management requests with the server's names", function()
    local t, db = recording{ graph = { _key = "g" } }
    db:create_graph("my g", { edge_definitions = { { edge_collection = "e", from_vertex_collections = "a",
      to_vertex_collections = { "b", "c" } } }, orphan_collections = { "o" }, shard_count = 3,
      smart = true, smart_field = "region", satellite_collections = { "s" }, sync = true })
    local req = t.log[1]
    assert.equal("POST", req.method)
    assert.equal("/_db/d/_api/gharial?waitForSync=true", req.path)
    assert.same({ name = "my g",
      edgeDefinitions = { { collection = "e", from = { "a" }, to = { "b", "c" } } },
      orphanCollections = { "o" }, isSmart = true,
      options = { numberOfShards = 3, smartGraphAttribute = "region", satellites = { "s" } } },
      json.decode(req.body))
    db:delete_graph("my g", { drop_collections = true })
    assert.equal("/_db/d/_api/gharial/my%20g?dropCollections=true", t.log[2].path)
    local g = db:graph("my g")
    g:delete_vertex_collection("v/x", { purge = true })
    assert.equal("/_db/d/_api/gharial/my%20g/vertex/v%2Fx?dropCollection=true", t.log[3].path)
    g:replace_edge_definition("e", { "a" }, { "b" }, { sync = false, purge = true })
    assert.equal("PUT", t.log[4].method)
    assert.equal("/_db/d/_api/gharial/my%20g/edge/e?dropCollections=true&waitForSync=false", t.log[4].path)
    assert.same({ collection = "e", from = { "a" }, to = { "b" } }, json.decode(t.log[4].body))
    g:delete_edge_definition("e", { purge = true })
    assert.equal("DELETE", t.log[5].method)
    assert.equal("/_db/d/_api/gharial/my%20g/edge/e?dropCollections=true", t.log[5].path)
  end)

  it("sends revisions and options of graph document writes", function()
    local t, db = recording{ vertex = { _id = "v/k", _key = "k", _rev = "2" }, new = { a = 1 } }
    local v = db:graph("g"):vertex_collection("v")
    local meta = v:update({ _id = "v/k", _rev = "1", a = 1 }, { keep_null = false, return_new = true })
    assert.equal("v/k", meta._id)
    assert.same({ a = 1 }, meta.new)
    local req = t.log[1]
    assert.equal("PATCH", req.method)
    assert.equal("/_db/d/_api/gharial/g/vertex/v/k?keepNull=false&returnNew=true", req.path)
    assert.equal("1", req.headers["if-match"])
    assert.same({ _key = "k", _rev = "1", a = 1 }, json.decode(req.body))
    v:update({ _key = "k", _rev = "1" }, { check_rev = false })
    assert.is_nil(t.log[2].headers["if-match"])
  end)

  it("passes every traversal value as a bind variable", function()
    local t, db = recording{ result = { {} } }
    local g = db:graph("g' RETURN 1 //")
    local hostile = "v/x' RETURN 1 //"
    local err = driver.raises(g.traverse, g, { start_vertex = { _id = "v/k" }, direction = "any",
      strategy = "bfs", vertex_uniqueness = "global", max_depth = 3, max_iterations = 10 })
    assert.is_true(errors.is(err, "GraphTraverseError"))
    local body = json.decode(t.log[1].body)
    assert.equal("/_db/d/_api/cursor", t.log[1].path)
    assert.same({ start = "v/k", graph = "g' RETURN 1 //", max_depth = 3, order = "bfs",
      unique_vertices = "global", unique_edges = "path", limit = 11 }, body.bindVars)
    assert.truthy(body.query:find(" ANY @start GRAPH @graph", 1, true))
    assert.is_nil(body.query:find("RETURN 1 //", 1, true))
    -- a key with quotes is invalid anyway: rejected before any request
    assert.is_true(errors.is(driver.raises(g.traverse, g, { start_vertex = hostile }), "DocumentParseError"))
    assert.equal(1, #t.log)
  end)
end)

describe("driver graphs", function()
  local db, db_name
  setup(function()
    driver.acquire()
    db, db_name = driver.scratch_db("graphspec")
  end)
  teardown(function()
    driver.drop_db(db_name)
    driver.release()
  end)

  describe("graph management", function()
    after_each(function()
      for _, g in ipairs(db:graphs()) do db:delete_graph(g.name, { drop_collections = true }) end
    end)

    it("creates, lists, describes and deletes graphs", function()
      assert.same({}, db:graphs())
      assert.is_false(db:has_graph("school"))
      local school = db:create_graph("school", { edge_definitions = { school_definition() },
        orphan_collections = { "students" } })
      assert.equal("school", school:name())
      assert.equal(db_name, school:db_name())
      assert.is_true(db:has_graph("school"))

      local props = school:properties()
      assert.equal("school", props.name)
      assert.equal("school", props.key)
      assert.equal("_graphs/school", props.id)
      assert.is_string(props.revision)
      assert.same({ school_definition() }, props.edge_definitions)
      assert.same({ "students" }, props.orphan_collections)

      local listed = db:graphs()
      assert.equal(1, #listed)
      assert.equal("school", listed[1].name)
      assert.same(props.edge_definitions, listed[1].edge_definitions)

      -- missing collections were created with the right type
      assert.equal(3, db:collection("teach"):properties().type)
      assert.equal(2, db:collection("teachers"):properties().type)
      assert.equal(2, db:collection("students"):properties().type)

      local handle = db:graph("school")
      assert.same(props.edge_definitions, handle:edge_definitions())

      assert.is_true(db:delete_graph("school"))
      assert.is_false(db:has_graph("school"))
      -- without drop_collections the collections stay
      assert.is_true(db:has_collection("teach"))
      db:delete_collection("teach")
      db:delete_collection("teachers")
      db:delete_collection("lectures")
      db:delete_collection("students")
    end)

    it("drops the graph's collections with drop_collections", function()
      db:create_graph("dropme", { edge_definitions = { { edge_collection = "dm_e",
        from_vertex_collections = { "dm_a" }, to_vertex_collections = { "dm_b" } } } })
      assert.is_true(db:has_collection("dm_e"))
      assert.is_true(db:delete_graph("dropme", { drop_collections = true }))
      assert.is_false(db:has_collection("dm_e"))
      assert.is_false(db:has_collection("dm_a"))
      assert.is_false(db:has_collection("dm_b"))
    end)

    it("accepts positional edge definition arguments and a graph without definitions", function()
      local g = db:create_graph("empty")
      assert.same({}, g:edge_definitions())
      assert.same({}, g:vertex_collections())
      local teach = g:create_edge_definition("teach", { "teachers" }, { "lectures" })
      assert.equal("teach", teach:name())
      assert.same({ school_definition() }, g:edge_definitions())
    end)

    it("reports server errors with the graph error classes", function()
      db:create_graph("school", { edge_definitions = { school_definition() } })
      raises("GraphCreateError", 409, 1925, db.create_graph, db, "school")
      raises("GraphPropertiesError", 404, 1924, function() return db:graph("nograph"):properties() end)
      raises("GraphDeleteError", 404, 1924, db.delete_graph, db, "nograph")
      assert.is_false(db:delete_graph("nograph", { ignore_missing = true }))
      local missing = db:graph("nograph")
      raises("VertexCollectionListError", 404, 1924, missing.vertex_collections, missing)
      raises("EdgeDefinitionListError", 404, 1924, missing.edge_definitions, missing)
      raises("EdgeCollectionListError", 404, 1924, missing.edge_collections, missing)
      -- every graph error class is a server error
      assert.is_true(errors.GraphCreateError:create{}:is(errors.ArangoServerError))
    end)

    it("raises the method's error class for other failures (missing database)", function()
      local nodb = driver.db(driver.unique("nodb"))
      raises("GraphListError", 404, 1228, nodb.graphs, nodb)
      raises("GraphGetError", 404, 1228, nodb.has_graph, nodb, "school")
      raises("GraphCreateError", 404, 1228, nodb.create_graph, nodb, "school")
      raises("GraphDeleteError", 404, 1228, nodb.delete_graph, nodb, "school", { ignore_missing = true })
      local g = nodb:graph("school")
      raises("GraphTraverseError", 404, 1228, g.traverse, g, { start_vertex = "a/b" })
      raises("DocumentGetError", 404, 1228, g.vertex, g, "a/b")
      raises("DocumentInError", 404, 1228, g.has_vertex, g, "a/b")
    end)

    it("rejects bad input before sending anything", function()
      raises("ArangoOptionError", nil, nil, db.create_graph, db, "")
      raises("ArangoOptionError", nil, nil, db.create_graph, db, 42)
      raises("ArangoOptionError", nil, nil, db.create_graph, db, "g", { no_such_option = true })
      raises("ArangoOptionError", nil, nil, db.create_graph, db, "g", { edge_definitions = "teach" })
      raises("ArangoOptionError", nil, nil, db.create_graph, db, "g",
        { edge_definitions = { { edge_collection = "e", from_vertex_collections = { "a" } } } })
      raises("ArangoOptionError", nil, nil, db.create_graph, db, "g",
        { edge_definitions = { { collection = "e", from = { "a" }, to = { "b" } } } })
      raises("ArangoOptionError", nil, nil, db.create_graph, db, "g",
        { edge_definitions = { { edge_collection = "e", from_vertex_collections = { 1 },
          to_vertex_collections = { "b" } } } })
      raises("ArangoOptionError", nil, nil, db.has_graph, db, nil)
      raises("ArangoOptionError", nil, nil, db.graph, db, "")
      raises("ArangoOptionError", nil, nil, db.delete_graph, db, "g", { purge = true })
      assert.is_false(db:has_graph("g"))
    end)
  end)

  describe("vertex collections and edge definitions", function()
    local school
    before_each(function()
      school = db:create_graph("school", { edge_definitions = { school_definition() } })
    end)
    after_each(function() db:delete_graph("school", { drop_collections = true }) end)

    it("lists, adds and removes vertex collections", function()
      assert.same({ "lectures", "teachers" }, school:vertex_collections())
      assert.is_true(school:has_vertex_collection("teachers"))
      assert.is_false(school:has_vertex_collection("students"))
      local students = school:create_vertex_collection("students")
      assert.equal("students", students:name())
      assert.equal(school, students:graph())
      assert.same({ "lectures", "students", "teachers" }, school:vertex_collections())
      assert.same({ "students" }, school:properties().orphan_collections)
      -- the wrapper has the standard collection interface
      assert.equal(0, students:count())

      assert.is_true(school:delete_vertex_collection("students"))
      assert.is_false(school:has_vertex_collection("students"))
      assert.is_true(db:has_collection("students"))
      school:create_vertex_collection("students")
      assert.is_true(school:delete_vertex_collection("students", { purge = true }))
      assert.is_false(db:has_collection("students"))
    end)

    it("reports vertex collection errors", function()
      school:create_vertex_collection("students")
      local err = raises("VertexCollectionCreateError", 400, nil, school.create_vertex_collection, school,
        "students")
      assert.equal(1938, err.error_code)
      raises("VertexCollectionDeleteError", 400, 1928, school.delete_vertex_collection, school, "teachers")
      raises("VertexCollectionDeleteError", 404, 1924, function()
        return db:graph("nograph"):delete_vertex_collection("teachers")
      end)
      raises("ArangoOptionError", nil, nil, school.create_vertex_collection, school, "")
      raises("ArangoOptionError", nil, nil, school.delete_vertex_collection, school, "students",
        { drop = true })
    end)

    it("lists, adds, replaces and removes edge definitions", function()
      assert.same({ school_definition() }, school:edge_definitions())
      assert.is_true(school:has_edge_definition("teach"))
      assert.is_false(school:has_edge_definition("attend"))
      assert.same({ "teach" }, school:edge_collections())
      assert.is_true(school:has_edge_collection("teach"))
      assert.is_false(school:has_edge_collection("attend"))

      local attend = school:create_edge_definition{ edge_collection = "attend",
        from_vertex_collections = { "students" }, to_vertex_collections = { "lectures" } }
      assert.equal("attend", attend:name())
      assert.equal(3, attend:properties().type)
      assert.same({ "attend", "teach" }, school:edge_collections())
      assert.same({ "lectures", "students", "teachers" }, school:vertex_collections())

      local replaced = school:replace_edge_definition{ edge_collection = "attend",
        from_vertex_collections = { "students", "teachers" }, to_vertex_collections = { "lectures" } }
      assert.equal("attend", replaced:name())
      local found
      for _, d in ipairs(school:edge_definitions()) do
        if d.edge_collection == "attend" then found = d end
      end
      assert.same({ "students", "teachers" }, sorted(found.from_vertex_collections))

      assert.is_true(school:delete_edge_definition("attend", { purge = true }))
      assert.is_false(school:has_edge_definition("attend"))
      assert.is_false(db:has_collection("attend"))
      -- students lost its only edge definition and became an orphan
      assert.same({ "students" }, school:properties().orphan_collections)
    end)

    it("reports edge definition errors", function()
      raises("EdgeDefinitionCreateError", 400, 1920, school.create_edge_definition, school,
        school_definition())
      raises("EdgeDefinitionReplaceError", 404, 1930, school.replace_edge_definition, school,
        { edge_collection = "attend", from_vertex_collections = { "a" }, to_vertex_collections = { "b" } })
      raises("EdgeDefinitionDeleteError", 404, 1930, school.delete_edge_definition, school, "attend")
      raises("ArangoOptionError", nil, nil, school.create_edge_definition, school,
        { edge_collection = "attend", from_vertex_collections = { "a" } })
      raises("ArangoOptionError", nil, nil, school.replace_edge_definition, school, "teach", { "teachers" },
        { "lectures" }, { bogus = 1 })
      raises("ArangoOptionError", nil, nil, school.delete_edge_definition, school, nil)
    end)
  end)

  describe("vertices and edges", function()
    local school, teachers, lectures, teach
    before_each(function()
      school = db:create_graph("school", { edge_definitions = { school_definition() },
        orphan_collections = { "rooms" } })
      teachers = school:vertex_collection("teachers")
      lectures = school:vertex_collection("lectures")
      teach = school:edge_collection("teach")
    end)
    after_each(function() db:delete_graph("school", { drop_collections = true }) end)

    it("writes and reads vertices through vertex collection wrappers", function()
      local meta = teachers:insert({ _key = "jon", name = "Jon" }, { return_new = true })
      assert.equal("teachers/jon", meta._id)
      assert.equal("jon", meta._key)
      assert.is_string(meta._rev)
      assert.equal("Jon", meta.new.name)
      assert.is_true(teachers:has("jon"))
      assert.is_true(teachers:has("teachers/jon"))
      assert.is_false(teachers:has("nobody"))
      assert.equal("Jon", teachers:get("jon").name)
      assert.is_nil(teachers:get("nobody"))

      local upd = teachers:update({ _key = "jon", age = 35 }, { return_old = true, return_new = true })
      assert.equal(meta._rev, upd._oldRev)
      assert.is_nil(upd.old.age)
      assert.equal(35, upd.new.age)
      assert.equal("Jon", upd.new.name)

      local rep = teachers:replace({ _key = "jon", age = 36 }, { return_new = true })
      assert.is_nil(rep.new.name)
      assert.equal(36, teachers:get{ _id = "teachers/jon" }.age)

      assert.is_true(teachers:insert({ _key = "ann" }, { silent = true }))
      local removed = teachers:delete("ann", { return_old = true })
      assert.is_true(removed.removed)
      assert.equal("ann", removed.old._key)
      assert.is_true(teachers:delete("jon"))
      assert.is_nil(teachers:get("jon"))
      assert.is_false(teachers:delete("jon", { ignore_missing = true }))
      raises("DocumentDeleteError", 404, 1202, teachers.delete, teachers, "jon")
    end)

    it("checks revisions", function()
      local meta = teachers:insert{ _key = "jon" }
      local current = teachers:get("jon")
      teachers:update{ _key = "jon", age = 1 }
      raises("DocumentRevisionError", 412, 1200, teachers.update, teachers, { _key = "jon", _rev = meta._rev,
        age = 2 })
      raises("DocumentRevisionError", 412, 1200, teachers.replace, teachers,
        { _key = "jon", _rev = meta._rev })
      raises("DocumentRevisionError", 412, 1200, teachers.delete, teachers, current)
      raises("DocumentRevisionError", 412, nil, teachers.get, teachers, "jon", { rev = meta._rev })
      -- check_rev = false ignores the stale _rev
      local forced = teachers:update({ _key = "jon", _rev = meta._rev, age = 3 }, { check_rev = false })
      assert.is_string(forced._rev)
      assert.equal(3, teachers:get("jon").age)
      raises("DocumentRevisionError", 412, nil, teachers.has, teachers, "jon", { rev = meta._rev })
      assert.is_true(teachers:has("jon", { rev = meta._rev, check_rev = false }))
      assert.is_true(teachers:delete(current, { check_rev = false }))
      raises("DocumentUpdateError", 404, 1202, teachers.update, teachers, { _key = "jon", age = 4 })
      raises("DocumentReplaceError", 404, 1202, teachers.replace, teachers, { _key = "jon" })
      raises("DocumentInError", 404, 1924, function()
        return db:graph("nograph"):vertex_collection("teachers"):has("jon")
      end)
    end)

    it("writes and reads vertices through the graph with ids", function()
      school:insert_vertex("teachers", { _key = "jon", name = "Jon" })
      school:update_vertex{ _id = "teachers/jon", age = 35 }
      assert.equal(35, school:vertex("teachers/jon").age)
      school:replace_vertex{ _id = "teachers/jon", name = "Jon", age = 36 }
      local v = school:vertex{ _id = "teachers/jon" }
      assert.equal(36, v.age)
      assert.is_true(school:has_vertex("teachers/jon"))
      assert.is_false(school:has_vertex("teachers/nobody"))
      assert.is_nil(school:vertex("teachers/nobody"))
      assert.is_true(school:delete_vertex("teachers/jon"))
      assert.is_false(school:has_vertex("teachers/jon"))
      assert.is_false(school:delete_vertex("teachers/jon", { ignore_missing = true }))
    end)

    it("refuses vertices outside the graph and malformed handles", function()
      db:create_collection("outside")
      local err = raises("DocumentInsertError", 404, nil, school.insert_vertex, school, "outside", { a = 1 })
      -- "vertex collection not part of the graph": 1926 in older servers, 1949 since 3.9
      assert.truthy(err.error_code == 1926 or err.error_code == 1949, tostring(err.error_code))
      raises("DocumentGetError", 404, nil, school.vertex, school, "outside/x")
      raises("DocumentGetError", 404, 1924, function() return db:graph("nograph"):vertex("teachers/x") end)
      raises("DocumentParseError", nil, nil, school.vertex, school, "no-slash")
      raises("DocumentParseError", nil, nil, school.update_vertex, school, { age = 1 })
      raises("DocumentParseError", nil, nil, teachers.get, teachers, "lectures/x")
      raises("DocumentParseError", nil, nil, teachers.insert, teachers, "not a table")
      raises("DocumentParseError", nil, nil, teachers.insert, teachers, { _id = "lectures/x" })
      raises("DocumentParseError", nil, nil, teachers.get, teachers, "bad key!")
      raises("ArangoOptionError", nil, nil, teachers.insert, teachers, {}, { overwrite = true })
      raises("ArangoOptionError", nil, nil, teachers.get, teachers, "x", { allow_dirty_read = true })
      db:delete_collection("outside")
    end)

    it("reports the errors of every graph-level document method", function()
      local nograph = db:graph("nograph")
      raises("VertexCollectionListError", 404, 1924, nograph.has_vertex_collection, nograph, "teachers")
      raises("EdgeDefinitionListError", 404, 1924, nograph.has_edge_definition, nograph, "teach")
      raises("ArangoOptionError", nil, nil, school.vertex_collection, school, 1)
      raises("ArangoOptionError", nil, nil, school.edge_collection, school, nil)

      local jon = school:insert_vertex("teachers", { _key = "jon" })
      lectures:insert{ _key = "CSC101" }
      raises("DocumentReplaceError", 404, 1202, school.replace_vertex, school, { _id = "teachers/nobody" })
      raises("DocumentRevisionError", 412, 1200, school.replace_vertex, school,
        { _id = "teachers/jon", _rev = "_nope----" })
      raises("DocumentDeleteError", 404, 1202, school.delete_vertex, school, "teachers/nobody")
      raises("DocumentRevisionError", 412, 1200, school.delete_vertex, school,
        { _id = "teachers/jon", _rev = "_nope----" })
      assert.is_true(school:has_vertex(jon._id))

      raises("DocumentInsertError", 404, 1930, school.insert_edge, school, "rooms",
        { _from = "teachers/jon", _to = "lectures/CSC101" })
      raises("DocumentInsertError", 404, 1202, school.insert_edge, school, "teach",
        { _from = "teachers/nobody", _to = "lectures/CSC101" })
      local edge = school:insert_edge("teach",
        { _key = "t1", _from = "teachers/jon", _to = "lectures/CSC101" })
      raises("DocumentUpdateError", 404, 1202, school.update_edge, school, { _id = "teach/nothing", x = 1 })
      raises("DocumentUpdateError", 404, 1947, school.update_edge, school,
        { _id = edge._id, _to = "rooms2/x" })
      raises("DocumentReplaceError", 404, 1947, school.replace_edge, school,
        { _id = edge._id, _from = "students/x", _to = "lectures/CSC101" })
      raises("DocumentParseError", nil, nil, school.replace_edge, school,
        { _id = edge._id, _from = "teachers/jon" })
      raises("DocumentInError", 404, 1924, nograph.has_edge, nograph, "teach/t1")
      raises("DocumentGetError", 404, 1930, school.edge, school, "rooms/t1")
      raises("DocumentDeleteError", 404, 1202, school.delete_edge, school, "teach/nothing")
      raises("DocumentRevisionError", 412, 1200, school.delete_edge, school,
        { _id = edge._id, _rev = "_nope----" })
      assert.is_true(school:has_edge(edge._id))
      assert.is_true(school:delete_edge(edge._id))
      assert.is_false(school:has_edge(edge._id))
    end)

    it("writes and reads edges through edge collection wrappers", function()
      teachers:insert{ _key = "jon" }
      lectures:insert{ _key = "CSC101" }
      lectures:insert{ _key = "MAT223" }
      local meta = teach:insert({ _key = "jon-CSC101", _from = "teachers/jon", _to = "lectures/CSC101" },
        { return_new = true })
      assert.equal("teach/jon-CSC101", meta._id)
      assert.equal("teachers/jon", meta.new._from)
      teach:replace{ _key = "jon-CSC101", _from = "teachers/jon", _to = "lectures/CSC101", online = false }
      assert.is_false(teach:get("jon-CSC101").online)
      teach:update{ _key = "jon-CSC101", online = true }
      local e = teach:get("teach/jon-CSC101")
      assert.is_true(e.online)
      assert.equal("lectures/CSC101", e._to)
      assert.is_true(teach:has("jon-CSC101"))
      assert.is_true(teach:delete("jon-CSC101"))
      assert.is_false(teach:has("jon-CSC101"))
      assert.is_nil(teach:get("jon-CSC101"))

      local link = teach:link("teachers/jon", { _id = "lectures/CSC101" }, { data = { online = false },
        return_new = true })
      assert.equal("teachers/jon", link.new._from)
      assert.equal("lectures/CSC101", link.new._to)
      assert.is_false(link.new.online)
      teach:link("teachers/jon", "lectures/MAT223")

      local out = teach:edges("teachers/jon", { direction = "out" })
      assert.equal(2, #out.edges)
      assert.is_table(out.stats)
      assert.equal(0, #teach:edges("teachers/jon", { direction = "in" }).edges)
      assert.equal(1, #teach:edges({ _id = "lectures/MAT223" }, { direction = "in" }).edges)
      assert.equal(2, #teach:edges("teachers/jon").edges)
    end)

    it("writes and reads edges through the graph with ids", function()
      teachers:insert{ _key = "jon" }
      lectures:insert{ _key = "CSC101" }
      school:insert_edge("teach", { _id = "teach/jon-CSC101", _from = "teachers/jon",
        _to = "lectures/CSC101" })
      school:replace_edge{ _id = "teach/jon-CSC101", _from = "teachers/jon", _to = "lectures/CSC101",
        online = false }
      assert.is_false(school:edge("teach/jon-CSC101").online)
      school:update_edge{ _id = "teach/jon-CSC101", online = true }
      assert.is_true(school:edge("teach/jon-CSC101").online)
      assert.is_true(school:has_edge("teach/jon-CSC101"))
      assert.is_true(school:delete_edge("teach/jon-CSC101"))
      assert.is_false(school:has_edge("teach/jon-CSC101"))
      assert.is_nil(school:edge("teach/jon-CSC101"))
      local link = school:link("teach", "teachers/jon", "lectures/CSC101", { data = { hours = 3 } })
      local edges = school:edges("teach", "teachers/jon", { direction = "out" }).edges
      assert.equal(1, #edges)
      assert.equal(link._id, edges[1]._id)
      assert.equal(3, edges[1].hours)
    end)

    it("applies the graph's safeguards to edges", function()
      teachers:insert{ _key = "jon" }
      lectures:insert{ _key = "CSC101" }
      raises("DocumentInsertError", 404, 1947, teach.insert, teach, { _from = "students/ann",
        _to = "lectures/CSC101" })
      raises("DocumentInsertError", 404, 1202, teach.link, teach, "teachers/jon", "lectures/nothing")
      raises("DocumentParseError", nil, nil, teach.insert, teach, { _from = "teachers/jon" })
      raises("DocumentParseError", nil, nil, teach.insert, teach, { _from = "teachers/jon", _to = "x" })
      raises("DocumentParseError", nil, nil, teach.replace, teach, { _key = "k", _to = "lectures/CSC101" })
      raises("DocumentParseError", nil, nil, teach.link, teach, "teachers/jon", 7)
      raises("ArangoOptionError", nil, nil, teach.link, teach, "teachers/jon", "lectures/CSC101",
        { data = 1 })
      raises("ArangoOptionError", nil, nil, teach.edges, teach, "teachers/jon", { direction = "up" })
      raises("ArangoOptionError", nil, nil, teach.edges, teach, "teachers/jon", { vertex = "x" })
      raises("EdgeListError", 400, 1218, function()
        return school:edge_collection("teachers"):edges("teachers/jon")
      end)

      -- deleting a vertex deletes the graph's edges that touch it
      teach:link("teachers/jon", "lectures/CSC101")
      assert.equal(1, #teach:edges("teachers/jon").edges)
      school:delete_vertex("lectures/CSC101")
      assert.equal(0, #teach:edges("teachers/jon").edges)
      assert.equal(0, teach:count())
    end)
  end)

  describe("traversals", function()
    local g
    -- a -> b, a -> c, b -> d, c -> d, d -> e, e -> a (one cycle)
    local EDGES = { { "a", "b" }, { "a", "c" }, { "b", "d" }, { "c", "d" }, { "d", "e" }, { "e", "a" } }
    setup(function()
      g = db:create_graph("net", { edge_definitions = { { edge_collection = "links",
        from_vertex_collections = { "nodes" }, to_vertex_collections = { "nodes" } } } })
      local nodes, links = g:vertex_collection("nodes"), g:edge_collection("links")
      for _, k in ipairs{ "a", "b", "c", "d", "e" } do nodes:insert{ _key = k } end
      for _, e in ipairs(EDGES) do
        links:insert{ _key = e[1] .. e[2], _from = "nodes/" .. e[1], _to = "nodes/" .. e[2] }
      end
    end)
    teardown(function() db:delete_graph("net", { drop_collections = true }) end)

    local function check_shape(result)
      assert.equal(#result.vertices, #result.paths)
      for i, p in ipairs(result.paths) do
        assert.equal(#p.edges + 1, #p.vertices)
        assert.equal(result.vertices[i]._id, p.vertices[#p.vertices]._id)
      end
    end

    local function depths(result)
      local out = {}
      for i, p in ipairs(result.paths) do out[i] = #p.edges end
      return out
    end

    it("runs a breadth-first traversal with global uniqueness", function()
      local r = g:traverse{ start_vertex = "nodes/a", direction = "outbound", strategy = "bfs",
        vertex_uniqueness = "global", edge_uniqueness = "global" }
      check_shape(r)
      local keys = keys_of(r.vertices)
      assert.same({ "a", "b", "c", "d", "e" }, sorted(keys))
      assert.equal("a", keys[1])
      assert.same({ "b", "c" }, sorted{ keys[2], keys[3] })
      assert.same({ 0, 1, 1, 2, 3 }, depths(r))
    end)

    it("runs a depth-first traversal (default uniqueness: edges per path)", function()
      local r = g:traverse{ start_vertex = "nodes/a", max_depth = 2 }
      check_shape(r)
      assert.same({ "a", "b", "c", "d", "d" }, sorted(keys_of(r.vertices)))
      assert.equal("a", r.vertices[1]._key)
      -- pre-order: every path comes right after its parent's subtree started, d right after b or c
      local keys = keys_of(r.vertices)
      assert.same({ "d", "d" }, { keys[3], keys[5] })
      assert.same({ 0, 1, 2, 1, 2 }, depths(r))
    end)

    it("emulates global vertex uniqueness for depth-first search", function()
      local r = g:traverse{ start_vertex = { _id = "nodes/a" }, strategy = "dfs",
        vertex_uniqueness = "global" }
      check_shape(r)
      local keys = keys_of(r.vertices)
      assert.same({ "a", "b", "c", "d", "e" }, sorted(keys))
      -- depth first: the first branch goes all the way down before the second lecture is visited
      assert.same({ "a", "d", "e" }, { keys[1], keys[3], keys[4] })
      assert.same({ 0, 1, 2, 3, 1 }, depths(r))
    end)

    it("uses every edge at most once with global edge uniqueness", function()
      local r = g:traverse{ start_vertex = "nodes/a", strategy = "bfs", edge_uniqueness = "global" }
      check_shape(r)
      assert.equal(#EDGES + 1, #r.vertices)
      local used = {}
      for _, p in ipairs(r.paths) do
        local last = p.edges[#p.edges]
        if last then
          assert.is_nil(used[last._key])
          used[last._key] = true
        end
      end
      for _, e in ipairs(EDGES) do assert.is_true(used[e[1] .. e[2]]) end
    end)

    it("honours depth bounds and directions", function()
      assert.same({ "b", "c" }, sorted(keys_of(g:traverse{ start_vertex = "nodes/a", min_depth = 1,
        max_depth = 1 }.vertices)))
      assert.same({ "b", "c", "d" }, sorted(keys_of(g:traverse{ start_vertex = "nodes/d",
        direction = "inbound", max_depth = 1 }.vertices)))
      assert.same({ "a", "b", "d" }, sorted(keys_of(g:traverse{ start_vertex = "nodes/b", direction = "any",
        max_depth = 1 }.vertices)))
      assert.same({ "a" }, keys_of(g:traverse{ start_vertex = "nodes/a", max_depth = 0 }.vertices))
      assert.same({}, g:traverse{ start_vertex = "nodes/a", min_depth = 9, max_depth = 9 }.vertices)
    end)

    it("orders post-order and backward traversals", function()
      local pre = g:traverse{ start_vertex = "nodes/a", max_depth = 2 }
      local post = g:traverse{ start_vertex = "nodes/a", max_depth = 2, order = "postorder" }
      check_shape(post)
      assert.equal(#pre.paths, #post.paths)
      assert.equal("a", post.vertices[#post.vertices]._key)
      -- every path comes after all of its extensions
      local function key(p)
        local ids = {}
        for i, e in ipairs(p.edges) do ids[i] = e._key end
        return table.concat(ids, ",")
      end
      local order = {}
      for i, p in ipairs(post.paths) do order[key(p)] = i end
      for _, p in ipairs(post.paths) do
        if #p.edges > 0 then
          local parent = { edges = { table.unpack(p.edges, 1, #p.edges - 1) } }
          assert.is_true(order[key(parent)] > order[key(p)])
        end
      end

      local forward = keys_of(g:traverse{ start_vertex = "nodes/a", max_depth = 1 }.vertices)
      local backward = keys_of(g:traverse{ start_vertex = "nodes/a", max_depth = 1,
        item_order = "backward" }.vertices)
      assert.same({ forward[1], forward[3], forward[2] }, backward)
      assert.not_same(forward, backward)
    end)

    it("stops at max_iterations", function()
      assert.equal(5, #g:traverse{ start_vertex = "nodes/a", max_depth = 2, max_iterations = 5 }.vertices)
      local err = raises("GraphTraverseError", nil, nil, g.traverse, g, { start_vertex = "nodes/a",
        max_depth = 2, max_iterations = 4 })
      assert.truthy(err.message:find("max_iterations", 1, true))
      raises("GraphTraverseError", nil, nil, g.traverse, g, { start_vertex = "nodes/a",
        vertex_uniqueness = "global", max_iterations = 2 })
    end)

    it("reports traversal errors", function()
      local err = raises("GraphTraverseError", nil, 1202, g.traverse, g, { start_vertex = "nodes/zzz" })
      assert.truthy(err.message:find("nodes/zzz", 1, true))
      raises("GraphTraverseError", 404, 1924, function()
        return db:graph("nograph"):traverse{ start_vertex = "nodes/a" }
      end)
      local bad = {
        {}, { start_vertex = "no-slash" }, { start_vertex = "nodes/a", direction = "up" },
        { start_vertex = "nodes/a", strategy = "random" }, { start_vertex = "nodes/a", order = "inorder" },
        { start_vertex = "nodes/a", strategy = "bfs", order = "postorder" },
        { start_vertex = "nodes/a", vertex_uniqueness = "everywhere" },
        { start_vertex = "nodes/a", item_order = "sideways" },
        { start_vertex = "nodes/a", min_depth = -1 }, { start_vertex = "nodes/a", max_depth = 1.5 },
        { start_vertex = "nodes/a", min_depth = 3, max_depth = 2 },
        { start_vertex = "nodes/a", vertex_uniqueness = "none", edge_uniqueness = "none" },
        { start_vertex = "nodes/a", visitor_func = "function () {}" },
        { start_vertex = "nodes/a", no_such_option = 1 },
      }
      for _, opts in ipairs(bad) do
        local e = driver.raises(g.traverse, g, opts)
        assert.is_true(errors.is(e, "ArangoOptionError") or errors.is(e, "DocumentParseError"), tostring(e))
      end
      raises("ArangoOptionError", nil, nil, g.traverse, g, "nodes/a")
    end)
  end)

  describe("examples/graphs.lua", function()
    it("runs the seed's graph examples", function()
      local env = driver.acquire()
      local out, ok = driver.run_example("graphs.lua")
      driver.release()
      assert.is_true(ok == true, out)
      for _, pattern in ipairs{
        "graphs at first: 0", "graph school in database example_graphs", "vertex collections: %[%]",
        "deleted school: true", "definitions: teach: teachers %-> teachers",
        "replaced: teach: teachers %-> lectures", "teach collection after purge: false",
        "teachers is a document collection", "jon's age: 36", "has jon: true", "jon after delete: nil",
        "graph has teachers/jon: true", "graph vertex name: Jon",
        "graph has teachers/jon after delete: false",
        "has edge jon%-CSC101: true", "edge online: true", "linked: teach edge", "edges into jon: 0",
        "edges out of jon: 1", "graph has edge: true", "graph edge online: true",
        "graph edges out of jon: 1", "edge from outside the graph refused: true %(DocumentInsertError 1947%)",
        "edges out of jon after deleting CSC101: 0", "traversal visited 4 vertices, first jon",
        "visited: CSC101, MAT223, STA201, jon", "paths: 4, longest has 1 edge%(s%)",
        "who teaches MAT223: Professor jon", "graphs at the end: 0",
      } do
        assert.truthy(out:find(pattern), "missing '" .. pattern .. "' in:\n" .. out)
      end
      if env.password ~= "" then assert.is_nil(out:find(env.password, 1, true)) end
    end)
  end)
end)
