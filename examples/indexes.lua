-- Indexes: list, add typed indexes, add a raw definition, delete.
local arango = require "arango"

local url = os.getenv("ARANGO_URL") or "http://127.0.0.1:8529"
local username = os.getenv("ARANGO_USER") or "root"
local password = os.getenv("ARANGO_PASSWORD") or ""

local client = arango.client{ hosts = url }
local sys_db = client:db("_system", { username = username, password = password })
local name = "example_indexes"
sys_db:delete_database(name, { ignore_missing = true })
sys_db:create_database(name)
local db = client:db(name, { username = username, password = password })
local cities = db:create_collection("cities")

local idx = cities:add_persistent_index{ fields = { "name" }, unique = true, name = "by_name" }
print("added " .. idx.type .. " index " .. idx.name)
cities:add_hash_index{ fields = { "country" }, unique = false }
cities:add_geo_index{ fields = { "location" }, geo_json = true }
cities:add_ttl_index{ fields = { "expires" }, expiry_time = 3600 }
cities:add_fulltext_index{ fields = { "description" }, min_length = 3 }
local raw = cities:add_index{ type = "persistent", fields = { "population" }, sparse = true }

for _, i in ipairs(cities:indexes()) do print("index " .. i.type .. " on " .. table.concat(i.fields, ",")) end

cities:delete_index(raw.id)
print("indexes after delete: " .. #cities:indexes())

sys_db:delete_database(name)
client:close()
