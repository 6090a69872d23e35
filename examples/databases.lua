-- Databases: list, create (with users), inspect and delete databases.
local arango = require "arango"

local url = os.getenv("ARANGO_URL") or "http://127.0.0.1:8529"
local username = os.getenv("ARANGO_USER") or "root"
local password = os.getenv("ARANGO_PASSWORD") or ""

local client = arango.client{ hosts = url }
local sys_db = client:db("_system", { username = username, password = password })

print("databases: " .. table.concat(sys_db:databases(), ", "))

-- Create a database with a user of its own (a plain name works too).
local name = "example_databases"
sys_db:delete_database(name, { ignore_missing = true })
sys_db:delete_user("example_owner", { ignore_missing = true })
sys_db:create_database{ name = name, users = {
  { username = "example_owner", password = "owner-pw", active = true },
} }
print("has " .. name .. ": " .. tostring(sys_db:has_database(name)))

local db = client:db(name, { username = "example_owner", password = "owner-pw" })
print("database name: " .. db:name())
print("user: " .. db:username())
print("is system: " .. tostring(db:properties().isSystem))
print("engine: " .. db:engine().name)
print("collections: " .. #db:collections())

sys_db:delete_database(name)
sys_db:delete_user("example_owner")
print("deleted: " .. tostring(not sys_db:has_database(name)))
client:close()
