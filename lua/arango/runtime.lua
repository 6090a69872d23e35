--- The driver's few scheduling needs, on luv's loop: a monotonic clock, a sleep, and running
-- several functions concurrently and waiting for all of them.
--
-- Each works the two ways every driver call does: inside a coroutine it yields (the loop resumes
-- the coroutine later); in the main thread it turns the loop until it is done. Another transport
-- (OpenResty's cosockets) brings its own implementation of these three functions.
-- @module arango.runtime

local M = {}

local uv_mod
local function uv()
  -- Loaded on first use, so that the pure-Lua parts of the driver work without luv.
  if not uv_mod then uv_mod = require "luv" end
  return uv_mod
end

-- The running coroutine when it may yield, nil in the main thread (Lua 5.4 and LuaJIT alike).
local function yieldable_coroutine()
  local co, is_main = coroutine.running()
  if co == nil or is_main then return nil end
  if coroutine.isyieldable and not coroutine.isyieldable() then return nil end
  return co
end
M.yieldable_coroutine = yieldable_coroutine

--- Seconds since an arbitrary point, monotonic, with sub-millisecond resolution.
-- @treturn number
-- @usage local t0 = runtime.now(); ...; print(runtime.now() - t0)
function M.now()
  return uv().hrtime() / 1e9
end

-- Resume `co` from a luv callback. Errors cannot be raised there: they go to the core's
-- coroutine error handler (stderr by default).
local function resume_from_loop(co, ...)
  local ok, err = coroutine.resume(co, ...)
  if not ok then
    local report = io.stderr
    report:write("arango: coroutine failed: ", tostring(err), "\n")
  end
end

-- Run the loop until `done()` is true. A repeating timer keeps `run("once")` from blocking
-- when nothing else is pending.
local function run_until(done)
  local loop = uv()
  if done() then return end
  local tick = loop.new_timer()
  tick:start(20, 20, function() end)
  while not done() do loop.run("once") end
  tick:stop()
  tick:close()
  -- Let the close complete now: luv 1.44 crashes at exit on a handle still closing.
  loop.run("nowait")
end

--- Wait `seconds` without blocking other coroutines.
-- @tparam number seconds (<= 0 returns at once)
-- @usage runtime.sleep(0.25)
function M.sleep(seconds)
  if type(seconds) ~= "number" or seconds <= 0 then return end
  local loop = uv()
  local timer = loop.new_timer()
  local co = yieldable_coroutine()
  local fired = false
  timer:start(math.floor(seconds * 1000 + 0.5), 0, function()
    fired = true
    timer:close()
    if co then resume_from_loop(co) end
  end)
  if co then
    coroutine.yield()
  else
    run_until(function() return fired end)
  end
end

--- Run each function of `fns` in its own coroutine and wait until all have returned.
-- Returns their first results in order. When some raised, the first error (in order) is
-- raised once all have finished, so no work is left running behind the caller's back.
-- @tparam {function,...} fns
-- @treturn table results, `results[i]` the first value `fns[i]` returned
-- @raise the first error a function raised
-- @usage local a, b = table.unpack(runtime.gather{ function() return 1 end, function() return 2 end })
function M.gather(fns)
  local n = #fns
  local results, failures, pending = {}, {}, n
  if n == 0 then return results end
  local waiter = yieldable_coroutine()
  local waiting = false
  local function finished()
    pending = pending - 1
    if pending == 0 and waiting then
      -- Resume the waiter from a fresh loop turn, not from inside this coroutine's stack.
      local t = uv().new_timer()
      t:start(0, 0, function()
        t:close()
        resume_from_loop(waiter)
      end)
    end
  end
  for i = 1, n do
    local co = coroutine.create(function()
      local ok, res = pcall(fns[i])
      if ok then results[i] = res else failures[i] = res end
      finished()
    end)
    local ok, err = coroutine.resume(co)
    if not ok then
      failures[i] = err
      finished()
    end
  end
  if pending > 0 then
    if waiter then
      waiting = true
      coroutine.yield()
    else
      run_until(function() return pending == 0 end)
    end
  end
  for i = 1, n do
    if failures[i] ~= nil then error(failures[i], 0) end
  end
  return results
end

return M
