-- Getting started: connect, create a database and a collection, index it, insert documents
-- and read them back with AQL.
--   ARANGO_URL (default http://127.0.0.1:8529), ARANGO_USER (root), ARANGO_PASSWORD ("")
local arango = require "arango"

local url = os.getenv("ARANGO_URL") or "http://127.0.0.1:8529"
local username = os.getenv("ARANGO_USER") or "root"
local password = os.getenv("ARANGO_PASSWORD") or ""

-- Initialize the client for ArangoDB.
local client = arango.client{ hosts = url }

-- Connect to "_system" database as root user.
local sys_db = client:db("_system", { username = username, password = password })

-- Create a new database named "test" if it does not exist.
if not sys_db:has_database("test") then
  sys_db:create_database("test")
end

-- Connect to "test" database as root user.
local db = client:db("test", { username = username, password = password })

-- Create a new collection named "students" if it does not exist.
local students
if db:has_collection("students") then
  students = db:collection("students")
  students:truncate()          -- so that running the example twice prints the same names
else
  students = db:create_collection("students")
end

-- Add a persistent index to the collection.
students:add_persistent_index{ fields = { "name" }, unique = false }

-- Insert new documents into the collection.
students:insert{ name = "jane", age = 39 }
students:insert{ name = "josh", age = 18 }
students:insert{ name = "judy", age = 21 }

-- Execute an AQL query and iterate through the result cursor.
local cursor = db.aql:execute("FOR doc IN students SORT doc.name RETURN doc")
local names = {}
for doc in cursor do names[#names + 1] = doc.name end
print("students: " .. table.concat(names, ", "))

client:close()
