-- GET /_api/edges/{collection}?vertex=&direction=in|out|any: the edges touching a vertex,
-- answered from the edge index like ArangoDB (with its query statistics object).
local json = require "arango.json"
local document = require "arango.devserver.api.document"

local M = {}

local DIRECTIONS = { ["in"] = true, out = true, any = true }

local function stats(n, cursors)
  return { writesExecuted = 0, writesIgnored = 0, documentLookups = n, seeks = 0, scannedFull = 0,
    scannedIndex = n, searchParallelism = 1, cursorsCreated = cursors, cursorsRearmed = 0,
    cacheHits = 0, cacheMisses = cursors, filtered = 0, httpRequests = 0, executionTime = 0.0001,
    peakMemoryUsage = 0, intermediateCommits = 0 }
end

local function edges(ctx)
  local col = document.collection(ctx, ctx.params.collection, "ro")
  if col.type ~= 3 then ctx:fail(400, 1218, "collection type invalid: expecting edge collection") end
  local direction = ctx.query.direction
  if direction == nil or direction == "" then direction = "any" end
  if not DIRECTIONS[direction] then ctx:fail(400, 400, "<direction> must by any, in, or out, not: "
    .. direction) end
  local vertices
  if ctx.method == "POST" then
    local body = ctx:json{ required = true }
    if not json.is_array(body) then ctx:fail(400, 400,
      "Expected an array of vertex _id's in body parameter") end
    vertices = body
  else
    local v = ctx.query.vertex
    if v == nil or v == "" then ctx:fail(400, 400, "illegal document handle") end
    vertices = { v }
  end
  local out, seen = json.array{}, {}
  for _, v in ipairs(vertices) do
    if type(v) == "string" then
      for _, e in ipairs(col:edges(v, direction)) do
        if not seen[e._key] then
          seen[e._key] = true
          out[#out + 1] = e
        end
      end
    end
  end
  local cursors = (direction == "any" and 2 or 1) * #vertices
  return 200, { edges = out, error = false, code = 200, stats = stats(#out, cursors) }
end

function M.register(router)
  router:add("GET", "/_api/edges/:collection", edges)
  router:add("POST", "/_api/edges/:collection", edges)
end

return M
