-- Spec support: running driver calls as concurrent coroutines on the luv loop.
--
--   local coroutines = require "spec.support.coroutines"
--   local results, suspended = coroutines.run({ fn1, fn2 }, 30)
local uv = require "luv"
local luassert = require "luassert"

local M = {}

--- Runs each of `fns` in its own coroutine, then turns the luv loop until all have finished;
-- fails the spec when they have not after `timeout` seconds (default 60). Returns their
-- outcomes in order ({ ok = pcall's status, value = result or error } each) and how many of
-- them were still suspended (waiting for I/O) once all had been started.
function M.run(fns, timeout)
  local results, pending, cos = {}, #fns, {}
  for i, fn in ipairs(fns) do
    cos[i] = coroutine.create(function()
      local ok, res = pcall(fn)
      results[i] = { ok = ok, value = res }
      pending = pending - 1
    end)
    local ok, err = coroutine.resume(cos[i])
    assert(ok, err)
  end
  local suspended = 0
  for _, co in ipairs(cos) do
    if coroutine.status(co) == "suspended" then suspended = suspended + 1 end
  end
  -- a repeating timer so that uv.run("once") returns regularly and the deadline is checked
  local timer = uv.new_timer()
  timer:start(50, 50, function() end)
  local deadline = os.time() + (timeout or 60)
  while pending > 0 and os.time() < deadline do uv.run("once") end
  timer:stop()
  timer:close()
  luassert.equal(0, pending, "the coroutines did not finish")
  return results, suspended
end

return M
