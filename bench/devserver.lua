-- Devserver throughput: single-document inserts and reads over keep-alive connections,
-- driven by wrk against a devserver subprocess (the server itself is single-threaded, so
-- this is requests per second on one core). Target: >= 10,000 requests/s.
--   lua5.4 bench/devserver.lua [seconds]
package.path = "./?.lua;" .. package.path
local ds = require "spec.support.devserver"

local TARGET = 10000
local seconds = tonumber(arg and arg[1]) or 5
local CONNECTIONS = 8

local function sh(cmd)
  local p = assert(io.popen(cmd .. " 2>&1", "r"))
  local out = p:read("a")
  p:close()
  return out
end

if not sh("command -v wrk"):find("wrk") then
  print("bench/devserver.lua: wrk is not installed (apt-get install wrk); skipped")
  os.exit(0)
end

local function write_file(path, text)
  local f = assert(io.open(path, "w"))
  f:write(text)
  f:close()
end

local tmp = os.tmpname()
local insert_script = tmp .. "_insert.lua"
local read_script = tmp .. "_read.lua"
write_file(insert_script, [[
local n = 0
wrk.method = "POST"
wrk.headers["content-type"] = "application/json"
request = function()
  n = n + 1
  return wrk.format(nil, "/_api/document/bench", nil, '{"value":' .. n .. ',"name":"item","tags":["a","b"]}')
end
]])
write_file(read_script, [[
local n = 0
request = function()
  n = n % 1000 + 1
  return wrk.format("GET", "/_api/document/bench/k" .. n)
end
]])

local function run(auth_args, label, setup_client)
  local srv = ds.start(auth_args)
  local ok, err = pcall(function()
    local res = setup_client(srv.url)("POST", "/_api/collection", { body = { name = "bench" } })
    assert(res.status == 200, "cannot create the bench collection: " .. res.body)
    for i = 1, 1000 do
      setup_client(srv.url)("POST", "/_api/document/bench", { body = { _key = "k" .. i, value = i } })
    end
    local header = auth_args.root_password and
      string.format(' -H "authorization: Basic %s"', ds.base64("root:" .. auth_args.root_password)) or ""
    for _, case in ipairs({ { "insert", insert_script }, { "read", read_script } }) do
      local out = sh(string.format("wrk -t1 -c%d -d%ds%s -s %s %s", CONNECTIONS, seconds, header, case[2],
        srv.url))
      local rps = tonumber(out:match("Requests/sec:%s*([%d.]+)"))
      local non2xx = out:match("Non%-2xx or 3xx responses:%s*(%d+)")
      if not rps then error("wrk failed:\n" .. out) end
      print(string.format("%-28s %10.0f requests/s   (target >= %d: %s)%s", label .. " " .. case[1], rps,
        TARGET, rps >= TARGET and "met" or "NOT met",
        non2xx and ("   [" .. non2xx .. " non-2xx responses!]") or ""))
    end
  end)
  srv.stop()
  if not ok then error(err, 0) end
end

print(string.format("devserver, wrk with %d keep-alive connections, %ds per case", CONNECTIONS, seconds))
run({ auth = false }, "no auth", function(url) return ds.client(url) end)
run({ auth = true, root_password = "bench" }, "basic auth", function(url)
  return ds.client(url, { auth = { "root", "bench" } })
end)
os.remove(tmp)
os.remove(insert_script)
os.remove(read_script)
