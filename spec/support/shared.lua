-- Spec support: the read-only ground-truth data next to the checkout (../shared, or the
-- directory ARANGO_SHARED names): where it is, whether a file is there, reading jsonl files.
local json = require "arango.json"

local M = {}

--- The shared data directory (ARANGO_SHARED, default ../shared relative to the working directory).
M.dir = os.getenv("ARANGO_SHARED") or "../shared"

--- True when `path` can be opened for reading.
function M.exists(path)
  local f = io.open(path, "r")
  if f then f:close() return true end
  return false
end

--- The decoded records of a jsonl file, one a non-blank line; an empty list when the file is
-- missing (the specs that need it then skip or fail on the count).
function M.read_jsonl(path)
  local out = {}
  local f = io.open(path, "r")
  if not f then return out end
  for line in f:lines() do
    if line:match("%S") then out[#out + 1] = json.decode(line) end
  end
  f:close()
  return out
end

return M
