-- Documents: insert, get, update, replace, delete, bulk operations and matching by example.
local arango = require "arango"

local url = os.getenv("ARANGO_URL") or "http://127.0.0.1:8529"
local username = os.getenv("ARANGO_USER") or "root"
local password = os.getenv("ARANGO_PASSWORD") or ""

local client = arango.client{ hosts = url }
local sys_db = client:db("_system", { username = username, password = password })
local name = "example_documents"
sys_db:delete_database(name, { ignore_missing = true })
sys_db:create_database(name)
local db = client:db(name, { username = username, password = password })
local students = db:create_collection("students")

local lola = { _key = "lola", GPA = 3.5, first = "Lola", last = "Martin" }
local meta = students:insert(lola)
print("inserted " .. meta._id)
print("has lola: " .. tostring(students:has("lola")))
print("GPA: " .. students:get("lola").GPA)
print("missing: " .. tostring(students:get("nobody")))

students:update{ _key = "lola", GPA = 3.6 }
print("updated GPA: " .. students:get("students/lola").GPA)
students:replace{ _key = "lola", GPA = 3.4, first = "Lola" }
print("replaced, last name now: " .. tostring(students:get{ _key = "lola" }.last))

-- Several at once.
students:insert_many{
  { _key = "abby", GPA = 3.2 }, { _key = "john", GPA = 3.6 }, { _key = "emma", GPA = 4.0 },
}
local many = students:get_many{ "abby", "john" }
print("got " .. #many .. " documents")
students:import_bulk({ { _key = "ivan", GPA = 3.1 }, { _key = "mary", GPA = 3.9 } }, { batch_size = 1 })
print("count: " .. students:count())

-- Matching by example runs AQL with bind variables.
local names = {}
for doc in students:find{ GPA = 3.6 } do names[#names + 1] = doc._key end
table.sort(names)
print("GPA 3.6: " .. table.concat(names, ", "))
print("updated by example: " .. students:update_match({ GPA = 3.6 }, { honors = true }))
print("deleted by example: " .. students:delete_match{ honors = true })

-- By id at database level.
print("document by id: " .. db:document("students/emma")._key)
students:delete("emma")
students:delete_many{ "abby", "ivan", "mary" }
local left = {}
for doc in students:all() do left[#left + 1] = doc._key end
print("left: " .. table.concat(left, ", "))

sys_db:delete_database(name)
client:close()
