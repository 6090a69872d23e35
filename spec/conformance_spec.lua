-- Conformance: replays the recorded ArangoDB 3.12 examples of this issue's areas
-- (../shared/arangodb/transcripts.jsonl) against a devserver with ../shared/tools/replay.py,
-- one test per example. The recordings were made without authentication, so the devserver
-- runs with --no-auth here (auth has its own spec).
local ds = require "spec.support.devserver"

local AREAS = {
  "administration", "authentication", "collections", "databases", "documents", "graphs-edges",
  "import", "indexes", "monitoring", "users",
}

-- Examples that cannot match a fresh server, each with the reason. Listing examples were
-- recorded on a server that had run many unrelated documentation examples before.
local EXPECTED_DIFFERENCES = {
  RestCollectionGetAllCollections =
    "lists collections (animals, demo, ...) left behind by earlier, unrelated examples",
  RestFetchAllUser = "lists users (tester, admin) created by earlier, unrelated examples",
  RestFetchUserDatabaseListFull =
    "lists every collection of _system, including ones left behind by earlier examples",
  RestAdminStatistics1 =
    "live process counters (page faults, CPU times, memory, request counts) of the recording server",
  RestCollectionGetCollectionFiguresDetails =
    "RocksDB's on-disk byte sizes (documentsSize, indexes.size) of the recording server",
}
-- ArangoDB names unnamed indexes "idx_" + its hybrid-logical-clock value at creation: a time
-- stamp of the recording run that replay.py does not treat as volatile.
for _, name in ipairs({ "RestIndexAllIndexes", "RestIndexCreateNewFulltext",
                        "RestIndexCreateGeoLocation", "RestIndexCreateNewInverted", "RestIndexCreateNewMdi",
                        "RestIndexCreateNewMdiPrefixed", "RestIndexCreateSparsePersistent",
                        "RestIndexCreateNewTtlIndex" }) do
  EXPECTED_DIFFERENCES[name] = "generated index name idx_<clock value> differs from the recording's"
end

local root = ds.root
local shared = root .. "/../shared"
local transcripts = shared .. "/arangodb/transcripts.jsonl"
local replay = shared .. "/tools/replay.py"

local exists = require("spec.support.shared").exists

describe("conformance with ArangoDB 3.12 recordings", function()
  if not (exists(transcripts) and exists(replay)) then
    pending("skipped: " .. shared .. " (transcripts and replay.py) is not present")
    return
  end

  local srv = ds.start({ auth = false })
  local cmd = string.format("python3 %q --url %q --transcripts %q --area %s 2>&1", replay, srv.url,
    transcripts, table.concat(AREAS, " "))
  local pipe = assert(io.popen(cmd, "r"))
  local output = pipe:read("a")
  pipe:close()
  srv.stop()

  local results, seen_areas = {}, {}
  for line in output:gmatch("[^\n]+") do
    local name, area, status, reason = line:match("^(%S+) %[cluster%]%s+(%S+)%s+(%u%u%u%u)%s*(.*)$")
    if not name then
      name, area, status, reason = line:match("^(%S+)%s+(%S+)%s+(%u%u%u%u)%s*(.*)$")
    end
    if name and (status == "PASS" or status == "FAIL" or status == "SKIP") then
      results[#results + 1] = { name = name, area = area, status = status, reason = reason }
      seen_areas[area] = (seen_areas[area] or 0) + 1
    end
  end

  it("replayed examples of every area", function()
    for _, area in ipairs(AREAS) do
      assert(seen_areas[area], "no example of area " .. area .. " was replayed; replay output:\n" .. output)
    end
  end)

  for _, r in ipairs(results) do
    local title = r.area .. ": " .. r.name
    if r.status == "SKIP" then
      pending(title .. " (" .. r.reason .. ")")
    elseif r.status == "FAIL" and EXPECTED_DIFFERENCES[r.name]
      and (not r.reason:find("^uncaught") and not r.reason:find("HTTP %d+, recorded")) then
      -- only the named difference may fail: a wrong status or an exception still counts
      pending(title .. " (expected difference: " .. EXPECTED_DIFFERENCES[r.name] .. ")")
    else
      it(title, function()
        assert(r.status == "PASS", r.name .. ": " .. r.reason)
      end)
    end
  end
end)
