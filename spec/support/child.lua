-- Runs a child lua5.4 with the checkout's module paths, whatever the parent was started with
-- (`make test` exports them; a bare `busted` does not).
local M = {}

local root = assert(io.popen("pwd")):read("l")

local function quote(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

M.quote = quote

-- A child that hangs must fail its spec, not stall the suite.
local TIME_LIMIT = 120

--- Runs `lua5.4 <args>` with extra environment variables; returns its output and whether it
-- exited 0 (within the time limit).
function M.run(args, env)
  local parts = {
    "LUA_PATH=" .. quote(root .. "/lua/?.lua;" .. root .. "/lua/?/init.lua;" .. root .. "/?.lua;;"),
    "LUA_CPATH=" .. quote(root .. "/build/?.so;;"),
  }
  for k, v in pairs(env or {}) do parts[#parts + 1] = k .. "=" .. quote(v) end
  local command = string.format("%s timeout %d lua5.4 %s 2>&1", table.concat(parts, " "), TIME_LIMIT, args)
  local p = assert(io.popen(command))
  local out = p:read("a")
  local ok, _, code = p:close()
  return out, ok and code == 0
end

return M
