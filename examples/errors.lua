-- Error handling: errors are objects raised with error(); catch them with pcall.
local arango = require "arango"
local errors = arango.errors

local url = os.getenv("ARANGO_URL") or "http://127.0.0.1:8529"
local username = os.getenv("ARANGO_USER") or "root"
local password = os.getenv("ARANGO_PASSWORD") or ""

local client = arango.client{ hosts = url }
local sys_db = client:db("_system", { username = username, password = password })
local name = "example_errors"
sys_db:delete_database(name, { ignore_missing = true })
sys_db:create_database(name)
local db = client:db(name, { username = username, password = password })
local students = db:create_collection("students")
students:insert{ _key = "jane" }

-- A duplicate key: DocumentInsertError, a subclass of ArangoServerError.
local ok, err = pcall(students.insert, students, { _key = "jane" })
assert(not ok, "a duplicate key must fail")
print("class: " .. err:class_name())
print("is ArangoServerError: " .. tostring(err:is(errors.ArangoServerError)))
print("http code: " .. err.http_code)
print("error code: " .. err.error_code .. " (UNIQUE_CONSTRAINT_VIOLATED = "
  .. arango.errno.UNIQUE_CONSTRAINT_VIOLATED .. ")")
print("error message: " .. err.error_message)
print("http method: " .. err.http_method)
print("response status: " .. err.response.status_code)
print("request: " .. tostring(err.request))
print("message: " .. tostring(err))

-- A malformed id is caught before any request.
ok, err = pcall(students.get, students, "other/jane")
assert(not ok)
print("client-side: " .. err:class_name() .. " is ArangoClientError: "
  .. tostring(err:is(errors.ArangoClientError)))

-- A missing document is nil, not an error.
print("missing document: " .. tostring(students:get("nobody")))

-- A server that is not there: ArangoConnectionError with the transport's kind.
local nowhere = arango.client{ hosts = "http://127.0.0.1:1" }
ok, err = pcall(function() return nowhere:db("_system"):version() end)
assert(not ok)
print("transport: " .. err:class_name() .. " kind=" .. err.kind)
nowhere:close()

sys_db:delete_database(name)
client:close()
