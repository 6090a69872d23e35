-- Collections: create document and edge collections, inspect, configure, rename, delete.
local arango = require "arango"

local url = os.getenv("ARANGO_URL") or "http://127.0.0.1:8529"
local username = os.getenv("ARANGO_USER") or "root"
local password = os.getenv("ARANGO_PASSWORD") or ""

local client = arango.client{ hosts = url }
local sys_db = client:db("_system", { username = username, password = password })
local name = "example_collections"
sys_db:delete_database(name, { ignore_missing = true })
sys_db:create_database(name)
local db = client:db(name, { username = username, password = password })

local students = db:create_collection("students")
db:create_collection("friends", { edge = true })
for _, c in ipairs(db:collections()) do
  if not c.system then print("collection " .. c.name .. " (" .. c.type .. ")") end
end
print("has students: " .. tostring(db:has_collection("students")))

local props = students:properties()
print("wait for sync: " .. tostring(props.waitForSync))
students:configure{ sync = true }
print("wait for sync now: " .. tostring(students:properties().waitForSync))

students:insert{ name = "jane" }
print("count: " .. students:count())
print("revision is a " .. type(students:revision()))
print("checksum is a " .. type(students:checksum()))
students:truncate()
print("count after truncate: " .. students:count())

students:rename("pupils")
print("renamed to: " .. students:name())
db:delete_collection("pupils")
print("has pupils: " .. tostring(db:has_collection("pupils")))

sys_db:delete_database(name)
client:close()
