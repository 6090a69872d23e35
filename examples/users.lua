-- Users and permissions.
local arango = require "arango"

local url = os.getenv("ARANGO_URL") or "http://127.0.0.1:8529"
local username = os.getenv("ARANGO_USER") or "root"
local password = os.getenv("ARANGO_PASSWORD") or ""

local client = arango.client{ hosts = url }
local sys_db = client:db("_system", { username = username, password = password })
local name = "example_users"
sys_db:delete_database(name, { ignore_missing = true })
sys_db:delete_user("johndoe", { ignore_missing = true })
sys_db:create_database(name)
client:db(name, { username = username, password = password }):create_collection("students")

print("root exists: " .. tostring(sys_db:has_user(username)))
local user = sys_db:create_user{ username = "johndoe", password = "first_password", active = true,
  extra = { team = "backend", title = "engineer" } }
print("created " .. user.username .. " (" .. user.extra.title .. ")")
sys_db:update_user{ username = "johndoe", password = "second_password", extra = { title = "lead" } }
print("title now: " .. sys_db:user("johndoe").extra.title)
sys_db:replace_user{ username = "johndoe", password = "third_password", active = true }

sys_db:update_permission{ username = "johndoe", permission = "rw", database = name }
sys_db:update_permission{ username = "johndoe", permission = "ro", database = name, collection = "students" }
print("database permission: " .. sys_db:permission{ username = "johndoe", database = name })
print("collection permission: "
  .. sys_db:permission{ username = "johndoe", database = name, collection = "students" })
print("has " .. name .. " in permissions: " .. tostring(sys_db:permissions("johndoe")[name] ~= nil))
sys_db:reset_permission{ username = "johndoe", database = name, collection = "students" }

local as_john = client:db(name, { username = "johndoe", password = "third_password" })
print("johndoe sees collections: " .. tostring(#as_john:collections() > 0))

sys_db:delete_user("johndoe")
print("johndoe exists: " .. tostring(sys_db:has_user("johndoe")))
sys_db:delete_database(name)
client:close()
