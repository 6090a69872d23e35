-- Runs a child lua5.4 with the module paths of this run: the ones `make test` or
-- scripts/check.sh exported (the latter points at the sanitizer build), or else the checkout's.
local M = {}

local root = assert(io.popen("pwd")):read("l")

-- A child that hangs must fail its spec, not stall the suite.
local TIME_LIMIT = 120

local function quote(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end
M.quote = quote

--- `VAR=value ...` assignments giving a child this run's LUA_PATH and LUA_CPATH.
function M.env_prefix()
  local path = os.getenv("LUA_PATH")
    or (root .. "/lua/?.lua;" .. root .. "/lua/?/init.lua;" .. root .. "/?.lua;;")
  local cpath = os.getenv("LUA_CPATH") or (root .. "/build/?.so;;")
  return "LUA_PATH=" .. quote(path) .. " LUA_CPATH=" .. quote(cpath)
end

--- Runs `lua5.4 <args>` with extra environment variables; returns its output and whether it
-- exited 0 (within the time limit).
function M.run(args, env)
  local parts = { M.env_prefix() }
  for k, v in pairs(env or {}) do parts[#parts + 1] = k .. "=" .. quote(v) end
  local command = string.format("%s timeout %d lua5.4 %s 2>&1", table.concat(parts, " "), TIME_LIMIT, args)
  local p = assert(io.popen(command))
  local out = p:read("a")
  local ok, _, code = p:close()
  return out, ok and code == 0
end

return M
