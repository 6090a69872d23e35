-- Codec speed: arango.json against Debian's lua-cjson on a cursor-like batch.
-- Builds ~1 MB of JSON (an array of documents with strings, integers, floats, nested
-- arrays, nulls and booleans) from a fixed seed, then times decode and encode with
-- os.clock, best of several rounds. Prints the figures and the targets; asserts nothing.
-- Run from the checkout: `make bench` or `lua5.4 bench/codec.lua` with LUA_PATH/LUA_CPATH set.
local json = require "arango.json"
local ok_cjson, cjson = pcall(require, "cjson")

local DOCS = 2000
local ROUNDS = 7
local DECODE_TARGET, ENCODE_TARGET = 1.5, 1.2

-- A small LCG, so that the batch is the same on every Lua version and run.
local seed = 20240501
local function rand(n)
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed % n
end

local WORDS = { "alpha", "beta", "gamma", "delta", "épsilon", "zeta", "eta", "theta", "iota", "kappa",
  "lambda", "mu", "nu", "xi", "omicron", "pi", "rho", "sigma", "tau", "upsilon" }

local function sentence(n)
  local out = {}
  for i = 1, n do out[i] = WORDS[rand(#WORDS) + 1] end
  return table.concat(out, " ")
end

local function document(i)
  local tags = {}
  for t = 1, rand(5) do tags[t] = WORDS[rand(#WORDS) + 1] end
  local history = {}
  for h = 1, rand(6) + 1 do history[h] = rand(100000) end
  return {
    _key = tostring(100000 + i),
    _id = "products/" .. (100000 + i),
    _rev = string.format("_h%08x---", rand(2147483647)),
    name = sentence(3),
    description = sentence(22) .. (i % 7 == 0 and "\n\t\"quoted\"" or ""),
    price = rand(1000000) / 100,
    weight = rand(100000) / 1000 + 0.5,
    rating = rand(50) / 10,
    stock = rand(10000),
    views = rand(2147483647) * 1000,
    active = rand(2) == 1,
    discontinued = false,
    supplier = (i % 3 == 0) and json.null or { name = sentence(2), country = "DE", since = 1990 + rand(30) },
    tags = json.array(tags),
    history = json.array(history),
    dimensions = json.array({ rand(100) + 0.25, rand(100) + 0.5, rand(100) + 0.75 }),
    note = json.null,
  }
end

local batch = {}
for i = 1, DOCS do batch[i] = document(i) end
batch = json.array(batch)
local text = json.encode(batch)
local megabytes = #text / 1e6

-- Best time of ROUNDS rounds of `reps` calls, per call.
local function best(fn, arg, reps)
  local fastest = math.huge
  for _ = 1, ROUNDS do
    collectgarbage("collect")
    local t0 = os.clock()
    for _ = 1, reps do fn(arg) end
    local dt = (os.clock() - t0) / reps
    if dt < fastest then fastest = dt end
  end
  return fastest
end

local function line(what, ours, theirs, target)
  local ours_mbs = megabytes / ours
  if not theirs then
    print(string.format("%-7s arango.json %8.1f MB/s   (lua-cjson not installed)", what, ours_mbs))
    return
  end
  local theirs_mbs = megabytes / theirs
  local ratio = theirs / ours
  print(string.format("%-7s arango.json %8.1f MB/s   cjson %8.1f MB/s   ratio %5.2fx   (target >= %.1fx: %s)",
    what, ours_mbs, theirs_mbs, ratio, target, ratio >= target and "met" or "NOT met"))
end

print(string.format("codec bench: %d documents, %.2f MB of JSON, best of %d rounds (%s)",
  DOCS, megabytes, ROUNDS, _VERSION))

local reps = 5
local decoded = json.decode(text)
local cjson_decoded = ok_cjson and cjson.decode(text) or nil
line("decode", best(json.decode, text, reps), ok_cjson and best(cjson.decode, text, reps), DECODE_TARGET)
line("encode", best(json.encode, decoded, reps), ok_cjson and best(cjson.encode, cjson_decoded, reps),
  ENCODE_TARGET)
