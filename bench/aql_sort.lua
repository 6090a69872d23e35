-- AQL engine throughput: a 200,000-row query drained in batches of 1000 (each batch
-- JSON-encoded, as the cursor API does) and SORT/COLLECT/DISTINCT over 50,000 strings.
-- Run: lua5.4 bench/aql_sort.lua   (with the Makefile's LUA_PATH/LUA_CPATH)
local aql = require "arango.devserver.aql"
local json = require "arango.json"

local function clock()
  local ok, uv = pcall(require, "luv")
  if ok then return function() return uv.hrtime() / 1e9 end end
  return os.clock
end
local now = clock()

local function drain(query, batch)
  local q, run = aql.prepare(nil, query, nil, {})
  local it = run({})
  local n, buf = 0, {}
  while true do
    local v = it()
    if v == nil then break end
    n = n + 1
    buf[#buf + 1] = v
    if #buf == batch then json.encode(json.array(buf)); buf = {} end
  end
  if #buf > 0 then json.encode(json.array(buf)) end
  return n, q
end

local cases = {
  { "stream 200k rows", "FOR i IN 1..200000 RETURN {x: i, s: CONCAT('k', i)}" },
  { "SORT 50k strings", "FOR i IN 1..50000 LET s = CONCAT('k', (i * 7919) % 50000) SORT s RETURN s" },
  { "SORT 50k strings DESC, 2 keys", "FOR i IN 1..50000 LET s = CONCAT('K', (i * 7919) % 50000) " ..
    "SORT s DESC, i RETURN i" },
  { "SORT 50k accented", "FOR i IN 1..50000 LET s = CONCAT('\u{E9}t\u{E9}', (i * 7919) % 50000) " ..
    "SORT s RETURN s" },
  { "COLLECT 50k strings", "FOR i IN 1..50000 COLLECT s = CONCAT('k', i % 5000) " ..
    "WITH COUNT INTO c RETURN [s, c]" },
  { "RETURN DISTINCT 50k", "FOR i IN 1..50000 RETURN DISTINCT CONCAT('k', i % 5000)" },
}
for _, c in ipairs(cases) do
  local t0 = now()
  local n = drain(c[2], 1000)
  print(string.format("%-32s %7d rows  %.3f s", c[1], n, now() - t0))
end
