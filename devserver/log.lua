-- The devserver's in-memory server log: a bounded ring of entries served by /_admin/log and
-- /_admin/log/entries, plus the per-topic log levels of /_admin/log/level.
local M = {}

local Log = {}
Log.__index = Log

local LEVELS = { FATAL = 1, ERROR = 2, WARNING = 3, INFO = 4, DEBUG = 5, TRACE = 6 }
M.LEVELS = LEVELS

-- ArangoDB's log topics (a subset is enough for clients that read or set levels).
local TOPICS = {
  "agency", "agencycomm", "agencystore", "aql", "audit-authentication", "audit-authorization",
  "audit-collection", "audit-database", "audit-document", "audit-hotbackup", "audit-service",
  "audit-view", "authentication", "authorization", "backup", "bench", "cache", "cluster",
  "communication", "config", "crash", "development", "dump", "engines", "flush", "general",
  "graphs", "heartbeat", "httpclient", "license", "maintenance", "memory", "queries",
  "replication", "replication2", "requests", "restore", "rocksdb", "security", "ssl",
  "startup", "statistics", "supervision", "syscall", "threads", "trx", "ttl", "validation",
  "v8", "views",
}

function M.new(capacity)
  local levels = {}
  for _, t in ipairs(TOPICS) do levels[t] = "INFO" end
  return setmetatable({ entries = {}, capacity = capacity or 1000, next_id = 1, levels = levels,
                        defaults = nil }, Log)
end

--- Appends an entry. level is one of FATAL ERROR WARNING INFO DEBUG TRACE.
function Log:add(level, topic, message)
  local e = { id = self.next_id, level = level, topic = topic, message = message,
              time = os.time(), date = os.date("!%Y-%m-%dT%H:%M:%SZ") }
  self.next_id = self.next_id + 1
  local entries = self.entries
  entries[#entries + 1] = e
  if #entries > self.capacity then table.remove(entries, 1) end
  return e
end

--- Entries filtered like ArangoDB's query parameters (upto/level, start, size, offset,
-- search, sort). Returns the list and the total before paging.
function Log:select(q)
  local upto = q.upto and (LEVELS[q.upto:upper()] or tonumber(q.upto) and (tonumber(q.upto) + 1)) or 6
  local exact = q.level and (LEVELS[q.level:upper()] or tonumber(q.level) and (tonumber(q.level) + 1))
  local start = tonumber(q.start or "") or 0
  local search = q.search
  local out = {}
  for _, e in ipairs(self.entries) do
    local lv = LEVELS[e.level]
    local ok = (exact and lv == exact) or (not exact and lv <= upto)
    ok = ok and e.id >= start
    if ok and search and search ~= "" then ok = e.message:find(search, 1, true) ~= nil end
    if ok then out[#out + 1] = e end
  end
  if (q.sort or "asc") == "desc" then
    local r = {}
    for i = #out, 1, -1 do r[#r + 1] = out[i] end
    out = r
  end
  local total = #out
  local offset = tonumber(q.offset or "") or 0
  local size = tonumber(q.size or "") or total
  local paged = {}
  for i = offset + 1, math.min(total, offset + size) do paged[#paged + 1] = out[i] end
  return paged, total
end

return M
