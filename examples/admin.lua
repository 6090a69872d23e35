-- Server administration.
local arango = require "arango"

local url = os.getenv("ARANGO_URL") or "http://127.0.0.1:8529"
local username = os.getenv("ARANGO_USER") or "root"
local password = os.getenv("ARANGO_PASSWORD") or ""

local client = arango.client{ hosts = url }
local sys_db = client:db("_system", { username = username, password = password })

print("version: " .. sys_db:version())
print("server: " .. sys_db:details().server)
print("required db version: " .. tostring(sys_db:required_db_version()))
print("engine: " .. sys_db:engine().name)
print("role: " .. sys_db:role())
print("time is a " .. type(sys_db:time()))
print("statistics have " .. (sys_db:statistics().system and "system figures" or "no system figures"))
print("log entries: " .. type(sys_db:read_log{ size = 10 }.messages))
local levels = sys_db:log_levels()
print("general log level: " .. levels.general)
sys_db:set_log_levels{ general = levels.general }
print("echo method: " .. sys_db:echo().requestType)
print("routing reloaded: " .. tostring(sys_db:reload_routing()))
print("metrics lines: " .. select(2, sys_db:metrics():gsub("\n", "\n")))
client:close()
