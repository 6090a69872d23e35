-- The AQL query builder (arango.aql), db.aql and db.aql.cache against a live server
-- (devserver or ARANGO_URL). Cursor behaviour is in driver_cursor_spec.lua.
local driver = require "spec.support.driver"
local arango = require "arango"
local errors = require "arango.errors"
local json = require "arango.json"

local aql = arango.aql

local function collect(cursor)
  local out = {}
  for v in cursor do out[#out + 1] = v end
  return out
end

local function range_list(a, b)
  local out = {}
  for i = a, b do out[#out + 1] = i end
  return out
end

-- Strings an attacker would try if values were pasted into query text.
local INJECTIONS = {
  '" || true || "',
  "' || true || '",
  "x\" RETURN 1 //",
  "1 || true",
  "jane\" FILTER true RETURN s //",
  "`students` REMOVE s IN students //",
  "@@c",
  "${name}",
  "\"; FOR x IN _users RETURN x /*",
  "\0\n\r\"\\",
}

describe("arango.aql query builder", function()
  it("is the same module under both names", function()
    assert.equal(require "arango.aql_query", arango.aql)
  end)

  it("turns every value of the positional form into a bind variable", function()
    local q = aql("FOR s IN ", aql.collection("students"), " FILTER s.age >= ", 18,
      " AND s.name == ", "jane", " RETURN s")
    assert.equal("FOR s IN @@value1 FILTER s.age >= @value2 AND s.name == @value3 RETURN s", q.query)
    assert.same({ ["@value1"] = "students", value2 = 18, value3 = "jane" }, q.bind_vars)
    assert.equal(q.query, tostring(q))
    assert.equal("RETURN 1", aql("RETURN 1").query)
    assert.same({}, aql("RETURN 1").bind_vars)
  end)

  it("shares one bind variable between equal strings, tables and collections", function()
    local t = { 1, 2 }
    local q = aql("RETURN [", "a", ", ", "a", ", ", t, ", ", t, ", ", 1, ", ", 1, "]")
    assert.equal("RETURN [@value1, @value1, @value2, @value2, @value3, @value4]", q.query)
    assert.same({ value1 = "a", value2 = { 1, 2 }, value3 = 1, value4 = 1 }, q.bind_vars)
  end)

  it("binds collection objects as collection bind variables", function()
    local col = require("arango.collection").Collection.new({ _executor = {} }, "students")
    local q = aql.template("FOR s IN ${col} RETURN s", { col = col })
    assert.equal("FOR s IN @@col RETURN s", q.query)
    assert.same({ ["@col"] = "students" }, q.bind_vars)
    local graph = setmetatable({ _name = "school", _db = { _executor = {} } },
      { __index = { name = function(g) return g._name end } })
    local edges = require("arango.graph_collection").EdgeCollection.new(graph, "teaches")
    q = aql("FOR v, e IN 1..2 OUTBOUND ", "x/1", " ", edges, " RETURN e")
    assert.equal("FOR v, e IN 1..2 OUTBOUND @value1 @@value2 RETURN e", q.query)
    assert.same({ value1 = "x/1", ["@value2"] = "teaches" }, q.bind_vars)
    -- a graph object stands for its name, as a plain bind variable
    q = aql.template("FOR v IN 1 OUTBOUND ${start} GRAPH ${g} RETURN v", { start = "x/1", g = graph })
    assert.same({ start = "x/1", g = "school" }, q.bind_vars)
    -- a table that merely has a name field is a value like any other
    q = aql("RETURN ", { name = "students" })
    assert.same({ value1 = { name = "students" } }, q.bind_vars)
  end)

  it("names template bind variables after their placeholders", function()
    local q = aql.template("FOR s IN ${c} FILTER s.age > ${min} AND s.age < ${min} + 10 RETURN ${x}",
      { c = aql.collection("students"), min = 18, x = json.null })
    assert.equal("FOR s IN @@c FILTER s.age > @min AND s.age < @min + 10 RETURN @x", q.query)
    assert.equal(json.null, q.bind_vars.x)
    assert.equal(18, q.bind_vars.min)
    assert.equal("students", q.bind_vars["@c"])
  end)

  it("splices literals and nested queries, renaming clashing bind variables", function()
    local dir = aql.literal("DESC")
    local filter = aql.template("FILTER s.age > ${v}", { v = 20 })
    local q = aql.template("FOR s IN students ${filter} FILTER s.name != ${v} SORT s.age ${dir} RETURN s",
      { filter = filter, v = "bob", dir = dir })
    assert.equal("FOR s IN students FILTER s.age > @v FILTER s.name != @v_2 SORT s.age DESC RETURN s",
      q.query)
    assert.same({ v = 20, v_2 = "bob" }, q.bind_vars)
    local outer = aql("RETURN ", aql("[", 1, "]"), " + ", 2)
    assert.equal("RETURN [@value1] + @value2", outer.query)
    assert.equal("LIMIT 5", aql("LIMIT ", aql.literal(5)).query)
  end)

  it("joins values, literals and queries", function()
    local q = aql.join({ aql.literal("RETURN ["), aql.join({ 1, "two", true }, ", "), aql.literal("]") }, "")
    assert.equal("RETURN [@value1, @value2, @value3]", q.query)
    assert.same({ value1 = 1, value2 = "two", value3 = true }, q.bind_vars)
    assert.equal("FILTER a AND b", aql.join({ aql.literal("FILTER a"), aql.literal("b") }, " AND ").query)
    assert.equal("@value1 @value2", aql.join({ "a", "b" }).query)
    assert.equal("", aql.join({}).query)
  end)

  it("refuses bad input with AQLQueryBuildError", function()
    local cases = {
      { function() return aql() end, "needs query text" },
      { function() return aql("RETURN ", nil) end, "argument 2 is nil" },
      { function() return aql(1) end, "must be query text" },
      { function() return aql("RETURN ", print) end, "cannot be sent" },
      { function() return aql("RETURN ", 0 / 0) end, "finite" },
      { function() return aql.template("RETURN ${x}", {}) end, "'x' is nil" },
      { function() return aql.template("RETURN ${x}", { x = 1, y = 2 }) end, "'y' has no" },
      { function() return aql.template("RETURN ${x-y}", {}) end, "bad placeholder" },
      { function() return aql.template("RETURN ${x", { x = 1 }) end, "unclosed" },
      { function() return aql.template(nil) end, "text must be a string" },
      { function() return aql.literal({}) end, "text must be a string" },
      { function() return aql.collection("") end, "non%-empty" },
      { function() return aql.join("a") end, "array" },
      { function() return aql.join({ [1] = 1, [3] = 3 }) end, "array" },
      { function() return aql.join({ 1 }, 5) end, "sep" },
    }
    for _, c in ipairs(cases) do
      local err = driver.raises(c[1])
      assert.truthy(errors.is(err, errors.AQLQueryBuildError), tostring(err))
      assert.truthy(err:is(errors.ArangoClientError))
      assert.matches(c[2], err.message)
    end
  end)

  it("never puts a value into the query text", function()
    for _, s in ipairs(INJECTIONS) do
      for _, q in ipairs({ aql("RETURN ", s), aql.template("RETURN ${v}", { v = s }),
        aql.join({ aql.literal("RETURN"), s }) }) do
        assert.matches("^RETURN @[%w_]+$", q.query)
        assert.equal(s, q.bind_vars[q.query:match("@([%w_]+)$")])
      end
    end
  end)
end)

describe("driver aql", function()
  local db, db_name, students
  setup(function()
    driver.acquire()
    db, db_name = driver.scratch_db("aqlspec")
    students = db:create_collection("students")
    students:insert_many{
      { _key = "jane", name = "jane", age = 39 }, { _key = "josh", name = "josh", age = 18 },
      { _key = "judy", name = "judy", age = 21 },
    }
    local nums = db:create_collection("nums")
    local docs = {}
    for i = 1, 10 do docs[i] = { _key = "n" .. i, n = i } end
    nums:insert_many(docs)
  end)
  teardown(function()
    driver.drop_db(db_name)
    driver.release()
  end)

  describe("builder queries", function()
    it("executes positional and template queries", function()
      local q = aql("FOR s IN ", students, " FILTER s.age >= ", 21, " SORT s.name RETURN s.name")
      assert.same({ "jane", "judy" }, collect(db.aql:execute(q)))
      q = aql.template("FOR s IN ${c} FILTER s.age < ${max} SORT s.name ${dir} RETURN s.name",
        { c = students, max = 30, dir = aql.literal("DESC") })
      assert.same({ "judy", "josh" }, collect(db.aql:execute(q, { batch_size = 1 })))
    end)

    it("merges the query's bind variables with bind_vars", function()
      local q = aql("FOR s IN @@c FILTER s.age > ", 20, " SORT s.age RETURN s.name")
      assert.same({ "judy", "jane" }, collect(db.aql:execute(q, { bind_vars = { ["@c"] = "students" } })))
      local err = driver.raises(db.aql.execute, db.aql, aql("RETURN ", 1), { bind_vars = { value1 = 2 } })
      assert.truthy(err:is(errors.ArangoOptionError))
      assert.matches("value1", err.message)
      -- a plain {query, bind_vars} table works too
      assert.same({ 7 }, collect(db.aql:execute({ query = "RETURN @x", bind_vars = { x = 7 } })))
    end)

    it("sends injection attempts as data, never as AQL", function()
      for _, s in ipairs(INJECTIONS) do
        -- as a compared value: matches no student (as text it would match all of them)
        local q = aql("FOR s IN ", students, " FILTER s.name == ", s, " RETURN s")
        assert.same({}, collect(db.aql:execute(q)))
        -- as a returned value: comes back byte for byte
        assert.same({ s }, collect(db.aql:execute(aql.template("RETURN ${v}", { v = s }))))
      end
      assert.equal(3, students:count())
      -- a hostile collection name is a collection bind variable: the lookup fails, nothing runs
      local err = driver.raises(db.aql.execute, db.aql,
        aql("FOR s IN ", aql.collection("students REMOVE s IN students"), " RETURN s"))
      assert.truthy(err:is(errors.AQLQueryExecuteError))
      assert.equal(1203, err.error_code)
      assert.equal(3, students:count())
    end)

    it("explains and validates builder queries", function()
      local q = aql("FOR s IN ", students, " FILTER s.age > ", 20, " RETURN s")
      assert.equal("table", type(db.aql:explain(q).plan.nodes))
      assert.is_true(db.aql:validate(q).parsed)
    end)
  end)

  describe("execute", function()
    it("runs a query with bind variables across batches", function()
      local cursor = db.aql:execute("FOR d IN nums FILTER d.n > @min SORT d.n RETURN d.n",
        { bind_vars = { min = 3 }, batch_size = 3, count = true })
      assert.equal(7, cursor:count())
      assert.is_true(cursor:has_more())
      assert.same({ 4, 5, 6 }, cursor:batch())
      assert.same({ 4, 5, 6, 7, 8, 9, 10 }, collect(cursor))
      assert.is_false(cursor:has_more())
      assert.is_nil(cursor:next())
    end)

    it("sends every option under ArangoDB's name", function()
      local core = require "arango.core"
      local engine = core.http{}
      local sent = {}
      local transport = { request = function(_, req)
        sent[#sent + 1] = req
        return engine:request(req)
      end }
      local env = driver.acquire()
      local client = driver.client{ http_client = transport }
      local rdb = client:db(db_name, { username = env.user, password = env.password })
      local cursor = rdb.aql:execute("FOR d IN nums SORT d.n RETURN d.n", {
        bind_vars = {}, count = true, batch_size = 4, ttl = 20, full_count = true, max_runtime = 30,
        memory_limit = 100000000, profile = true, stream = false, allow_retry = true, cache = false,
        optimizer_rules = { "-all", "+use-indexes" }, fail_on_warning = false, max_warning_count = 5,
        satellite_sync_wait = 2, fill_block_cache = false, max_plans = 3, allow_dirty_read = true,
      })
      assert.same(range_list(1, 10), collect(cursor))
      local body = json.decode(sent[1].body)
      assert.equal("FOR d IN nums SORT d.n RETURN d.n", body.query)
      assert.same({}, body.bindVars)
      assert.is_true(body.count)
      assert.equal(4, body.batchSize)
      assert.equal(20, body.ttl)
      assert.equal(100000000, body.memoryLimit)
      assert.is_false(body.cache)
      assert.same({
        fullCount = true, maxRuntime = 30, profile = true, stream = false, allowRetry = true,
        optimizer = { rules = { "-all", "+use-indexes" } }, failOnWarning = false, maxWarningCount = 5,
        satelliteSyncWait = 2, fillBlockCache = false, maxNumberOfPlans = 3,
      }, body.options)
      assert.equal("true", sent[1].headers["x-arango-allow-dirty-read"])
      -- allow_retry: follow-up fetches name their batch; the last one is released with DELETE
      assert.matches("/_api/cursor/%d+/2$", sent[2].path)
      assert.matches("/_api/cursor/%d+/3$", sent[3].path)
      assert.equal("DELETE", sent[4].method)
      assert.equal(4, #sent)
      client:close()
      engine:close()
      driver.release()
    end)

    it("rejects unknown options and malformed arguments", function()
      for _, args in ipairs({
        { "RETURN 1", { batchsize = 1 } }, { "" }, { 42 }, { "RETURN 1", { bind_vars = 5 } },
        { "RETURN 1", { optimizer_rules = "-all" } }, { { query = "RETURN 1", bind_vars = 1 } },
      }) do
        local err = driver.raises(db.aql.execute, db.aql, args[1], args[2])
        assert.truthy(err:is(errors.ArangoOptionError), tostring(err))
      end
    end)

    it("honours full_count, count, stream and profile", function()
      local cursor = db.aql:execute("FOR d IN nums LIMIT 2 RETURN d", { full_count = true, profile = true })
      assert.equal(10, cursor:statistics().fullCount)
      assert.equal("table", type(cursor:profile()))
      assert.is_nil(db.aql:execute("FOR d IN nums LIMIT 2 RETURN d"):profile())
      local streamed = db.aql:execute("FOR d IN nums RETURN d",
        { stream = true, count = true, batch_size = 2 })
      assert.is_nil(streamed:count())    -- a streaming query does not know its count up front
      assert.equal(10, #collect(streamed))
    end)

    it("stops queries at max_runtime and memory_limit", function()
      local err = driver.raises(db.aql.execute, db.aql, "FOR i IN 1..5000000 RETURN i",
        { max_runtime = 0.001 })
      assert.truthy(err:is(errors.AQLQueryExecuteError))
      assert.equal(1500, err.error_code)
      err = driver.raises(db.aql.execute, db.aql, "FOR i IN 1..100000 RETURN CONCAT('x', i)",
        { memory_limit = 10000 })
      assert.equal(32, err.error_code)
    end)

    it("handles warnings: max_warning_count and fail_on_warning", function()
      assert.equal(3, #db.aql:execute("RETURN [1 / 0, 1 / 0, 1 / 0]"):warnings())
      assert.equal(1, #db.aql:execute("RETURN [1 / 0, 1 / 0, 1 / 0]", { max_warning_count = 1 }):warnings())
      local err = driver.raises(db.aql.execute, db.aql, "RETURN 1 / 0", { fail_on_warning = true })
      assert.truthy(err:is(errors.AQLQueryExecuteError))
      assert.equal(1562, err.error_code)
    end)

    it("runs with optimizer_rules, satellite_sync_wait and fill_block_cache", function()
      local cursor = db.aql:execute("FOR d IN nums FILTER d.n <= 3 SORT d.n RETURN d.n",
        { optimizer_rules = { "-all" }, satellite_sync_wait = 1, fill_block_cache = true })
      assert.same({ 1, 2, 3 }, collect(cursor))
    end)

    it("returns nulls as json.null inside the iteration", function()
      local out = collect(db.aql:execute("FOR x IN [1, null, 3] RETURN x", { batch_size = 1 }))
      assert.equal(3, #out)
      assert.equal(json.null, out[2])
    end)
  end)

  describe("errors", function()
    it("raises AQLQueryExecuteError with the server's fields on a parse error", function()
      local err = driver.raises(db.aql.execute, db.aql, "FOR d IN RETURN d")
      assert.truthy(err:is(errors.AQLQueryExecuteError))
      assert.truthy(err:is(errors.ArangoServerError))
      assert.equal(400, err.http_code)
      assert.equal(1501, err.error_code)
      assert.equal(arango.errno.QUERY_PARSE, err.error_code)
      assert.matches("syntax error", err.error_message)
      assert.equal("POST", err.http_method)
      assert.matches("/_api/cursor$", err.url)
      assert.equal("server", err.source)
      assert.matches("^AQLQueryExecuteError: %[HTTP 400%]%[ERR 1501%]", tostring(err))
    end)

    it("raises on unknown collections and bind parameter errors", function()
      local err = driver.raises(db.aql.execute, db.aql, "FOR d IN nothere RETURN d")
      assert.equal(404, err.http_code)
      assert.equal(1203, err.error_code)
      err = driver.raises(db.aql.execute, db.aql, "RETURN @x")
      assert.equal(1551, err.error_code)
      err = driver.raises(db.aql.execute, db.aql, "RETURN @x", { bind_vars = { x = 1, y = 2 } })
      assert.equal(1552, err.error_code)
      err = driver.raises(db.aql.execute, db.aql, "FOR d IN @@c RETURN d", { bind_vars = { ["@c"] = 12 } })
      assert.equal(1553, err.error_code)
    end)
  end)

  describe("explain and validate", function()
    it("explains a query", function()
      local r = db.aql:explain("FOR d IN nums FILTER d.n > @min RETURN d", { bind_vars = { min = 2 } })
      assert.equal("SingletonNode", r.plan.nodes[1].type)
      assert.equal("table", type(r.warnings))
      assert.is_nil(r.code)
      local all = db.aql:explain("FOR d IN nums RETURN d", { all_plans = true, max_plans = 2,
        optimizer_rules = { "-all" } })
      assert.equal("table", type(all.plans))
      assert.truthy(#all.plans >= 1)
      local err = driver.raises(db.aql.explain, db.aql, "FOR d IN RETURN d")
      assert.truthy(err:is(errors.AQLQueryExplainError))
      assert.equal(1501, err.error_code)
    end)

    it("validates a query without running it", function()
      local r = db.aql:validate("FOR d IN nums FILTER d.n > @min RETURN d")
      assert.is_true(r.parsed)
      assert.same({ "nums" }, r.collections)
      assert.same({ "min" }, r.bindVars)
      assert.equal("table", type(r.ast))
      local err = driver.raises(db.aql.validate, db.aql, "FOR d IN RETURN d")
      assert.truthy(err:is(errors.AQLQueryValidateError))
      assert.equal(1501, err.error_code)
      assert.truthy(driver.raises(db.aql.validate, db.aql, nil):is(errors.ArangoOptionError))
    end)
  end)

  describe("query tracking", function()
    it("reads and changes tracking, records and clears slow queries", function()
      local before = db.aql:tracking()
      assert.is_true(before.enabled)
      assert.equal("number", type(before.slowQueryThreshold))
      local after = db.aql:set_tracking{ slow_query_threshold = 0, max_slow_queries = 5,
        track_bind_vars = true }
      assert.equal(0, after.slowQueryThreshold)
      assert.equal(5, after.maxSlowQueries)
      assert.equal(5, db.aql:tracking().maxSlowQueries)
      db.aql:clear_slow_queries()
      collect(db.aql:execute("FOR d IN nums FILTER d.n == @n RETURN d /* slow */", { bind_vars = { n = 1 } }))
      local slow = db.aql:slow_queries()
      assert.equal(1, #slow)
      assert.equal("FOR d IN nums FILTER d.n == @n RETURN d /* slow */", slow[1].query)
      assert.same({ n = 1 }, slow[1].bindVars)
      assert.is_true(db.aql:clear_slow_queries())
      assert.same({}, db.aql:slow_queries())
      db.aql:set_tracking{ slow_query_threshold = before.slowQueryThreshold,
        max_slow_queries = before.maxSlowQueries }
      assert.truthy(driver.raises(db.aql.set_tracking, db.aql, { slow = 1 }):is(errors.ArangoOptionError))
      local err = driver.raises(db.aql.set_tracking, db.aql, { enabled = "yes" })
      assert.truthy(err:is(errors.AQLQueryTrackingSetError))
    end)

    it("lists running queries and kills them", function()
      local text = "FOR i IN 1..100 RETURN i /* running */"
      local cursor = db.aql:execute(text, { stream = true, batch_size = 5, allow_retry = false })
      local found
      for _, q in ipairs(db.aql:queries()) do if q.query == text then found = q end end
      assert.is_not_nil(found)
      assert.equal("string", type(found.id))
      assert.is_true(db.aql:kill(found.id))
      assert.equal(1500, driver.raises(collect, cursor).error_code)
    end)

    it("reports an unknown query id on kill with 1591", function()
      local err = driver.raises(db.aql.kill, db.aql, "999999999")
      assert.truthy(err:is(errors.AQLQueryKillError))
      assert.equal(404, err.http_code)
      assert.equal(1591, err.error_code)
      assert.truthy(driver.raises(db.aql.kill, db.aql, nil):is(errors.ArangoOptionError))
    end)

    it("lists the optimizer rules", function()
      local rules = db.aql:query_rules()
      assert.truthy(#rules > 0)
      local names = {}
      for _, r in ipairs(rules) do names[r.name] = r end
      assert.is_not_nil(names["use-indexes"])
      assert.equal("table", type(names["use-indexes"].flags))
    end)
  end)

  describe("user functions", function()
    it("creates, lists and deletes functions, alone and by group", function()
      local code = "function (celsius) { return celsius * 1.8 + 32; }"
      assert.same({ is_new = true }, db.aql:create_function("spec::temp::to_f", code))
      assert.same({ is_new = false }, db.aql:create_function("spec::temp::to_f", code,
        { is_deterministic = true }))
      db.aql:create_function("spec::temp::to_c", "function (f) { return (f - 32) / 1.8; }")
      db.aql:create_function("other::id", "function (x) { return x; }")
      local fns = db.aql:functions("spec::temp")
      assert.equal(2, #fns)
      local by_name = {}
      for _, f in ipairs(fns) do by_name[f.name] = f end
      assert.equal(code, by_name["spec::temp::to_f"].code)
      assert.is_true(by_name["spec::temp::to_f"].isDeterministic)
      assert.equal(3, #db.aql:functions())
      -- the devserver stores but cannot run JavaScript: calling one is a clear error
      local err = driver.raises(db.aql.execute, db.aql, "RETURN spec::temp::to_f(100)")
      assert.truthy(err:is(errors.AQLQueryExecuteError))
      assert.equal(1, db.aql:delete_function("spec::temp::to_c"))
      assert.equal(1, db.aql:delete_function("spec::temp", { group = true }))
      assert.equal(0, #db.aql:functions("spec"))
      err = driver.raises(db.aql.delete_function, db.aql, "spec::temp::to_c")
      assert.truthy(err:is(errors.AQLFunctionDeleteError))
      assert.equal(1582, err.error_code)
      assert.equal(0, db.aql:delete_function("spec::temp::to_c", { ignore_missing = true }))
      assert.equal(1, db.aql:delete_function("other", { group = true }))
    end)

    it("rejects bad names and code", function()
      local err = driver.raises(db.aql.create_function, db.aql, "nonamespace", "function () {}")
      assert.truthy(err:is(errors.AQLFunctionCreateError))
      assert.equal(1580, err.error_code)
      err = driver.raises(db.aql.create_function, db.aql, "spec::bad", "not code")
      assert.equal(1581, err.error_code)
      assert.truthy(driver.raises(db.aql.create_function, db.aql, nil, "x"):is(errors.ArangoOptionError))
      assert.truthy(driver.raises(db.aql.delete_function, db.aql, ""):is(errors.ArangoOptionError))
    end)
  end)

  describe("query cache", function()
    local saved
    before_each(function() saved = db.aql.cache:properties() end)
    after_each(function()
      db.aql.cache:configure{ mode = saved.mode, max_results = saved.maxResults }
      db.aql.cache:clear()
    end)

    it("reads and changes the cache properties", function()
      assert.is_string(saved.mode)
      assert.equal("number", type(saved.maxResults))
      local p = db.aql.cache:configure{ mode = "demand", max_results = 100 }
      assert.equal("demand", p.mode)
      assert.equal(100, p.maxResults)
      assert.equal("demand", db.aql.cache:properties().mode)
      local err = driver.raises(db.aql.cache.configure, db.aql.cache, { mode = "sometimes" })
      assert.truthy(err:is(errors.AQLCacheConfigureError))
      assert.truthy(driver.raises(db.aql.cache.configure, db.aql.cache, { moed = "on" })
        :is(errors.ArangoOptionError))
    end)

    it("serves cached results, lists entries and clears them", function()
      db.aql.cache:configure{ mode = "demand" }
      db.aql.cache:clear()
      local text = "FOR d IN nums FILTER d.n < 4 SORT d.n RETURN d.n"
      local first = db.aql:execute(text, { cache = true })
      assert.is_false(first:cached())
      local second = db.aql:execute(text, { cache = true })
      assert.is_true(second:cached())
      assert.same({ 1, 2, 3 }, collect(second))
      assert.is_false(db.aql:execute(text, { cache = false }):cached())
      local entries = db.aql.cache:entries()
      assert.equal(1, #entries)
      assert.equal(text, entries[1].query)
      assert.is_true(db.aql.cache:clear())
      assert.same({}, db.aql.cache:entries())
      assert.is_false(db.aql:execute(text, { cache = true }):cached())
      assert.equal(1, #db.aql.cache:entries())
    end)
  end)
end)
