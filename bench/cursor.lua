-- Cursor read benchmark: 200,000 documents read through one cursor (batch_size 1000) from a
-- devserver started for the run. Prints rows/s, the share of the client's CPU time spent in JSON
-- decoding (arango.json.decode timed again, separately, on the very same raw batch bodies), and
-- the same decode with Debian's lua-cjson for comparison (cjson 2.1.0 mangles big integers: it is
-- only timed here, never used for results). Prints figures; asserts nothing.
--   lua5.4 bench/cursor.lua            (from the checkout; `make bench` sets the paths)
--   ROWS=50000 lua5.4 bench/cursor.lua
local uv = require "luv"
local arango = require "arango"
local json = require "arango.json"
local devserver = require "spec.support.devserver"

local ROWS = tonumber(os.getenv("ROWS") or "") or 200000
local BATCH = 1000
local REPEAT = 3   -- decode passes; the best one counts

local function now() return uv.hrtime() / 1e9 end

-- A transport that keeps the raw body of every cursor response (the strings only: cheap).
local function capturing_transport(engine)
  local t = { bodies = {}, capture = false }
  function t.request(_, req)
    local res, err = engine:request(req)
    if res and t.capture and req.path:find("/_api/cursor", 1, true) and req.method ~= "DELETE" then
      t.bodies[#t.bodies + 1] = res.body
    end
    return res, err
  end
  return t
end

local function best_decode_time(decode, bodies)
  local best = math.huge
  for _ = 1, REPEAT do
    collectgarbage("collect")
    local c0 = os.clock()
    for i = 1, #bodies do decode(bodies[i]) end
    local dt = os.clock() - c0
    if dt < best then best = dt end
  end
  return best
end

local srv = devserver.start{ auth = false }
local engine = require("arango.core").http{}
local ok, err = pcall(function()
  local transport = capturing_transport(engine)
  local client = arango.client{ hosts = srv.url, http_client = transport }
  local sys = client:db("_system", { username = "root", password = "" })
  sys:create_database("bench_cursor")
  local db = client:db("bench_cursor", { username = "root", password = "" })
  local col = db:create_collection("rows")

  io.write(string.format("loading %d documents ... ", ROWS))
  io.flush()
  local t0 = now()
  local chunk = {}
  for i = 1, ROWS do
    chunk[#chunk + 1] = { _key = "r" .. i, i = i, name = "row number " .. i, score = i * 0.25,
      active = i % 2 == 0, tags = { "a", "b", tostring(i % 7) } }
    if #chunk == 10000 or i == ROWS then
      col:insert_many(chunk, { silent = true })
      chunk = {}
    end
  end
  print(string.format("%.1f s", now() - t0))

  local function read_all(label, dbh)
    collectgarbage("collect")
    transport.bodies = {}
    transport.capture = true
    local w0, c0 = now(), os.clock()
    local cursor = dbh.aql:execute("FOR d IN rows RETURN d", { batch_size = BATCH, stream = true })
    local n, sum = 0, 0
    for d in cursor do
      n = n + 1
      sum = sum + d.i
    end
    local wall, cpu = now() - w0, os.clock() - c0
    transport.capture = false
    assert(n == ROWS, "read " .. n .. " rows")
    assert(sum == ROWS * (ROWS + 1) // 2, "checksum")
    print(string.format("%-28s %8.0f rows/s  (%.2f s wall, %.2f s client CPU, %d batches)",
      label, n / wall, wall, cpu, #transport.bodies))
    return cpu, transport.bodies
  end

  local cpu, bodies = read_all("arango.json deserializer:", db)
  local bytes = 0
  for _, b in ipairs(bodies) do bytes = bytes + #b end
  local t_json = best_decode_time(json.decode, bodies)
  print(string.format("raw batch bodies: %d, %.1f MB", #bodies, bytes / 1048576))
  print(string.format("arango.json.decode:  %.3f s  (%.0f MB/s)  = %.0f%% of the client CPU time",
    t_json, bytes / 1048576 / t_json, 100 * t_json / cpu))

  local has_cjson, cjson = pcall(require, "cjson")
  if has_cjson then
    local t_cjson = best_decode_time(cjson.decode, bodies)
    print(string.format("cjson.decode:        %.3f s  (%.0f MB/s)  arango.json/cjson time ratio %.2f",
      t_cjson, bytes / 1048576 / t_cjson, t_json / t_cjson))
    -- the whole read again, decoding with cjson (end to end, for scale)
    local cclient = arango.client{ hosts = srv.url, http_client = transport, deserializer = cjson.decode }
    local cdb = cclient:db("bench_cursor", { username = "root", password = "" })
    read_all("cjson deserializer:", cdb)
    cclient:close()
  else
    print("cjson not installed (apt install lua-cjson): no comparison")
  end
  client:close()
end)
engine:close()
srv.stop()
if not ok then error(err, 0) end
