-- AQL: run queries with bind variables, build them safely with arango.aql, explain, validate,
-- track and kill queries, manage AQL user functions and the query results cache.
local arango = require "arango"
local aql = arango.aql   -- the query builder (module arango.aql_query)

local url = os.getenv("ARANGO_URL") or "http://127.0.0.1:8529"
local username = os.getenv("ARANGO_USER") or "root"
local password = os.getenv("ARANGO_PASSWORD") or ""

local client = arango.client{ hosts = url }
local sys_db = client:db("_system", { username = username, password = password })
local name = "example_aql"
sys_db:delete_database(name, { ignore_missing = true })
sys_db:create_database(name)
local db = client:db(name, { username = username, password = password })
local students = db:create_collection("students")
students:insert_many{
  { _key = "abby", name = "abby", age = 17 }, { _key = "john", name = "john", age = 18 },
  { _key = "mary", name = "mary", age = 21 }, { _key = "suzy", name = "suzy", age = 22 },
}

-- AQL ------------------------------------------------------------------------------------

-- Retrieve the execution plan without running the query.
local plan = db.aql:explain("FOR doc IN students RETURN doc").plan
print("plan nodes: " .. #plan.nodes)

-- Validate the query without executing it.
local parsed = db.aql:validate("FOR doc IN students RETURN doc")
print("valid: " .. tostring(parsed.parsed) .. ", collections: " .. table.concat(parsed.collections, ","))

-- Execute the query with bind variables.
local cursor = db.aql:execute("FOR doc IN students FILTER doc.age < @value SORT doc._key RETURN doc",
  { bind_vars = { value = 19 } })

-- Iterate through the result cursor.
local keys = {}
for doc in cursor do keys[#keys + 1] = doc._key end
print("students under 19: " .. table.concat(keys, ", "))

-- The same query with the builder: values (and the collection) become bind variables.
local min_age = 21
local q = aql("FOR doc IN ", students, " FILTER doc.age >= ", min_age, " SORT doc._key RETURN doc._key")
print("built query: " .. q.query)
keys = {}
for key in db.aql:execute(q) do keys[#keys + 1] = key end
print("students 21 and over: " .. table.concat(keys, ", "))

-- The template form; aql.literal splices trusted text, aql.join combines parts.
local direction = aql.literal("DESC")
local filters = aql.join({
  aql.template("FILTER doc.age > ${min}", { min = 17 }),
  aql.template("FILTER doc.name != ${name}", { name = "suzy" }),
}, " ")
q = aql.template("FOR doc IN ${col} ${filters} SORT doc.age ${dir} RETURN doc.name",
  { col = students, filters = filters, dir = direction })
print("template query: " .. q.query)
local names = {}
for n in db.aql:execute(q) do names[#names + 1] = n end
print("by age, oldest first: " .. table.concat(names, ", "))

-- Input from outside is only ever data: this matches nobody instead of everybody.
local hostile = '" || true || "'
local matches = 0
for _ in db.aql:execute(aql("FOR doc IN ", students, " FILTER doc.name == ", hostile, " RETURN doc")) do
  matches = matches + 1
end
print("injection attempt matched: " .. matches)

-- Query tracking: settings, running and slow queries.
local tracking = db.aql:tracking()
print("tracking enabled: " .. tostring(tracking.enabled))
db.aql:set_tracking{ slow_query_threshold = 0, max_slow_queries = 10 }
db.aql:clear_slow_queries()
db.aql:execute("FOR doc IN students RETURN doc._key /* slow */")
print("slow queries recorded: " .. #db.aql:slow_queries())
db.aql:clear_slow_queries()
db.aql:set_tracking{ slow_query_threshold = tracking.slowQueryThreshold,
  max_slow_queries = tracking.maxSlowQueries }

-- A streaming query runs while its cursor is open: it shows in queries() and can be killed.
local streaming = db.aql:execute("FOR i IN 1..1000 RETURN i /* long */", { stream = true, batch_size = 10 })
for _, running in ipairs(db.aql:queries()) do
  if running.query:find("/* long */", 1, true) then
    print("killed running query: " .. tostring(db.aql:kill(running.id)))
  end
end
local ok, err = pcall(function() for _ in streaming do end end)
print("iterating a killed query: " .. (ok and "no error" or err:class_name() .. " " .. err.error_code))

-- Killing an unknown query id is an error.
ok, err = pcall(db.aql.kill, db.aql, "1234567890")
print("kill unknown: " .. (ok and "no error" or err:class_name() .. " " .. err.error_code))

-- Parse errors carry the server's error code and message.
ok, err = pcall(db.aql.execute, db.aql, "FOR doc IN students RETURN")
print("parse error: " .. (ok and "no error" or err:class_name() .. " " .. err.error_code))

print("optimizer rules known: " .. tostring(#db.aql:query_rules() > 0))

-- AQL User Functions ----------------------------------------------------------------------

-- Create a new AQL user function (grouping by name prefix is supported).
local created = db.aql:create_function("functions::temperature::converter",
  "function (celsius) { return celsius * 1.8 + 32; }")
print("function created: " .. tostring(created.is_new))

-- List AQL user functions.
for _, f in ipairs(db.aql:functions()) do print("function: " .. f.name) end

-- Delete an existing AQL user function (or a whole group with group = true).
print("functions deleted: " .. db.aql:delete_function("functions::temperature::converter"))
db.aql:create_function("functions::a", "function () { return 1; }")
db.aql:create_function("functions::b", "function () { return 2; }")
print("group deleted: " .. db.aql:delete_function("functions", { group = true }))

-- AQL Query Cache -------------------------------------------------------------------------

local cache = db.aql.cache

-- Retrieve AQL query cache properties.
local props = cache:properties()
local original_mode = props.mode
print("cache mode: " .. props.mode)

-- Configure AQL query cache properties.
props = cache:configure{ mode = "demand", max_results = 10000 }
print("cache mode now: " .. props.mode .. ", max results: " .. props.maxResults)

-- In demand mode a query asks for the cache.
local query = "FOR doc IN students SORT doc._key RETURN doc._key"
db.aql:execute(query, { cache = true })
print("second run cached: " .. tostring(db.aql:execute(query, { cache = true }):cached()))
print("cache entries: " .. #cache:entries())

-- Clear results in AQL query cache.
cache:clear()
print("cache entries after clear: " .. #cache:entries())
cache:configure{ mode = original_mode }

sys_db:delete_database(name)
client:close()
