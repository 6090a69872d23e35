-- Cursors: results come back in batches; a cursor fetches the next batch when the current one
-- runs out. Iterate with `for doc in cursor do`, or drive it by hand with next/pop/fetch.
local arango = require "arango"

local url = os.getenv("ARANGO_URL") or "http://127.0.0.1:8529"
local username = os.getenv("ARANGO_USER") or "root"
local password = os.getenv("ARANGO_PASSWORD") or ""

local client = arango.client{ hosts = url }
local sys_db = client:db("_system", { username = username, password = password })
local name = "example_cursors"
sys_db:delete_database(name, { ignore_missing = true })
sys_db:create_database(name)
local db = client:db(name, { username = username, password = password })

-- Set up some test data to query against.
db:create_collection("students"):insert_many{
  { _key = "Abby", age = 22 }, { _key = "John", age = 18 }, { _key = "Mary", age = 21 },
  { _key = "Suzy", age = 23 }, { _key = "Dave", age = 20 },
}

-- Execute an AQL query which returns a cursor object.
local cursor = db.aql:execute("FOR doc IN students FILTER doc.age > @val SORT doc._key RETURN doc",
  { bind_vars = { val = 17 }, batch_size = 2, count = true })

-- Get the cursor ID.
print("cursor id is a string: " .. tostring(type(cursor:id()) == "string"))

-- Get the items in the current batch.
local keys = {}
for _, doc in ipairs(cursor:batch()) do keys[#keys + 1] = doc._key end
print("batch: " .. table.concat(keys, ", "))

-- Check if the current batch is empty.
print("empty: " .. tostring(cursor:empty()))

-- Get the total count of the result set.
print("count: " .. cursor:count())

-- Flag indicating if there are more to be fetched from server.
print("has more: " .. tostring(cursor:has_more()))

-- Flag indicating if the results are cached.
print("cached: " .. tostring(cursor:cached()))

-- Get the cursor statistics.
print("scanned: " .. cursor:statistics().scannedFull)

-- Get the performance profile (nil unless the query asked for profile = true).
print("profile: " .. tostring(cursor:profile()))

-- Get any warnings produced from the query.
print("warnings: " .. #cursor:warnings())

-- Return the next item from the cursor. If current batch is depleted, the
-- next batch is fetched from the server automatically.
print("next: " .. cursor:next()._key)

-- Return the next item from the cursor. If current batch is depleted, an
-- error is raised: pop never talks to the server.
print("pop: " .. cursor:pop()._key)
local ok, err = pcall(cursor.pop, cursor)
print("pop on an empty batch: " .. (ok and "no error" or err:class_name()))

-- Fetch the next batch and add it to the cursor object.
local batch = cursor:fetch()
print("fetched " .. #batch.batch .. ", has more: " .. tostring(batch.has_more))

-- Iterate over the rest: for ... in cursor fetches as needed.
keys = {}
for doc in cursor do keys[#keys + 1] = doc._key end
print("rest: " .. table.concat(keys, ", "))

-- Delete the cursor from the server before it runs out (or its ttl passes).
cursor = db.aql:execute("FOR i IN 1..100 RETURN i", { batch_size = 10 })
print("closed: " .. tostring(cursor:close()))

-- A cursor not read within its ttl is gone: the error says so (1600).
cursor = db.aql:execute("FOR i IN 1..100 RETURN i", { batch_size = 10, ttl = 1 })
local uv = require "luv"
local timer = uv.new_timer()
local waited = false
timer:start(2000, 0, function() waited = true; timer:close() end)
while not waited do uv.run("once") end
ok, err = pcall(function() for _ in cursor do end end)
print("expired: " .. (ok and "no error" or err:class_name() .. " " .. err.error_code))

-- Cursors are plain iterators, so they also run side by side in coroutines on the loop.
local totals, pending = {}, 3
for k = 1, 3 do
  local co = coroutine.create(function()
    local done, result = pcall(function()
      local sum = 0
      for i in db.aql:execute("FOR i IN 1..@n RETURN i", { bind_vars = { n = k * 100 }, batch_size = 25 }) do
        sum = sum + i
      end
      return sum
    end)
    totals[k] = done and result or ("error: " .. tostring(result))
    pending = pending - 1
  end)
  assert(coroutine.resume(co))
end
while pending > 0 do uv.run("once") end
print("sums: " .. table.concat(totals, ", "))

sys_db:delete_database(name)
client:close()
