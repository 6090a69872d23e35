-- Cooperative request handlers for the devserver.
--
-- Every request handler runs in a coroutine taken from a small pool, so that a long-running
-- handler (an AQL query, SLEEP) can hand control back to the event loop and let other
-- connections be served meanwhile. A handler that never yields costs one resume and one
-- yield: the pool avoids creating a coroutine per request, which keeps the single-document
-- path fast.
--
-- Inside a handler, `scheduler.pause()` gives the loop one turn (the handler continues on the
-- next idle pass after polling for I/O) and `scheduler.sleep(seconds)` continues after a timer.
-- Both are no-ops (sleep blocks) outside a handler coroutine or where yielding is impossible
-- (inside a C call such as table.sort's comparator), so library code may call them anywhere.
local uv = require "luv"

local M = {}

-- Markers yielded by worker coroutines to the code that resumed them.
local DONE = setmetatable({}, { __name = "scheduler.DONE" })
local SUSPEND = setmetatable({}, { __name = "scheduler.SUSPEND" })

local POOL_MAX = 64

-- Our worker coroutines (weak: a dropped worker must not be kept alive by this set).
local workers = setmetatable({}, { __mode = "k" })

local yield, resume, running, isyieldable = coroutine.yield, coroutine.resume, coroutine.running,
  coroutine.isyieldable

-- A worker runs jobs forever: each job is fn(arg), whose three results go back with DONE.
-- The job function must not raise (the router's handler wrapper catches everything); if it
-- does, the coroutine dies and the resumer reports the error.
local function worker_main(fn, arg)
  while true do
    fn, arg = yield(DONE, fn(arg))
  end
end

-- True when the running coroutine is one of our workers and may yield to its resumer.
local function in_worker()
  local co, main = running()
  return not main and workers[co] ~= nil and isyieldable()
end
M.in_worker = in_worker

--- Gives the event loop a turn when called from a handler coroutine.
-- @return true when it yielded
function M.pause()
  if not in_worker() then return false end
  yield(SUSPEND, "ready")
  return true
end

--- Waits `seconds`: from a handler coroutine the loop runs meanwhile; elsewhere it blocks.
function M.sleep(seconds)
  if seconds <= 0 then return M.pause() end
  if in_worker() then
    yield(SUSPEND, "sleep", seconds)
  else
    uv.sleep(math.floor(seconds * 1000 + 0.5))
  end
  return true
end

local Sched = {}
Sched.__index = Sched

--- A scheduler bound to luv's default loop; close() releases its handles.
function M.new()
  local self = setmetatable({
    pool = {}, npool = 0,
    ready = {}, nready = 0,      -- coroutines to resume on the next idle pass
    waiting = {},                -- coroutine -> on_done of a suspended job
    timers = {},                 -- coroutine -> timer of a sleeping job
    closed = false,
  }, Sched)
  self.idle = uv.new_idle()
  self.idle_on = false
  return self
end

-- Interprets what a worker handed back after a resume. Returns true, a, b, c when the job
-- finished; false when it is suspended (and then arranges for it to continue).
local function settle(self, co, ok, tag, a, b, c)
  if not ok then
    -- the job raised (or the coroutine was broken): drop this worker
    workers[co] = nil
    return true, 500, tostring(tag), nil, true
  end
  if tag == DONE then
    if self.npool < POOL_MAX and not self.closed then
      self.npool = self.npool + 1
      self.pool[self.npool] = co
    end
    return true, a, b, c
  end
  if tag == SUSPEND then
    if self.closed then
      coroutine.close(co)
      return false
    end
    if a == "sleep" then
      local timer = uv.new_timer()
      self.timers[co] = timer
      timer:start(math.max(0, math.floor(b * 1000 + 0.5)), 0, function()
        timer:close()
        self.timers[co] = nil
        self:_continue(co)
      end)
    else
      self.nready = self.nready + 1
      self.ready[self.nready] = co
      if not self.idle_on then
        self.idle_on = true
        self.idle:start(function() self:_tick() end)
      end
    end
    return false
  end
  -- someone yielded a foreign value straight through the handler: it cannot be continued
  workers[co] = nil
  coroutine.close(co)
  return true, 500, "handler yielded outside the scheduler", nil, true
end

--- Runs fn(arg) in a worker. When it finishes without yielding, returns true and its three
-- results. Otherwise returns false and the worker: pass that to `when_done` to get the
-- results later. When the job raised, the results are 500, message, nil, true.
function Sched:run(fn, arg)
  local co
  if self.npool > 0 then
    co = self.pool[self.npool]
    self.pool[self.npool] = nil
    self.npool = self.npool - 1
  else
    co = coroutine.create(worker_main)
    workers[co] = true
  end
  local finished, a, b, c, raised = settle(self, co, resume(co, fn, arg))
  if finished then return true, a, b, c, raised end
  self.waiting[co] = false
  return false, co
end

--- Calls on_done(r1, r2, r3, raised) from the loop when the suspended job `co` finishes.
function Sched:when_done(co, on_done)
  if self.waiting[co] ~= nil then self.waiting[co] = on_done end
end

-- Resumes a suspended job and delivers its results when it finishes.
function Sched:_continue(co)
  if self.closed then return end
  local finished, a, b, c, raised = settle(self, co, resume(co))
  if not finished then return end
  local on_done = self.waiting[co]
  self.waiting[co] = nil
  if on_done then
    local ok, err = pcall(on_done, a, b, c, raised)
    if not ok then io.stderr:write("devserver: error completing a request: ", tostring(err), "\n") end
  end
end

-- One idle pass: resume every job that was ready when the pass began (jobs that pause again
-- wait for the next pass, so I/O is polled in between).
function Sched:_tick()
  local list, n = self.ready, self.nready
  self.ready, self.nready = {}, 0
  for i = 1, n do self:_continue(list[i]) end
  if self.nready == 0 and self.idle_on then
    self.idle_on = false
    self.idle:stop()
  end
end

--- Number of jobs currently suspended.
function Sched:pending()
  local n = 0
  for _ in pairs(self.waiting) do n = n + 1 end
  return n
end

--- Stops scheduling: closes the idle handle and timers; suspended jobs are abandoned.
function Sched:close()
  if self.closed then return end
  self.closed = true
  if not self.idle:is_closing() then self.idle:close() end
  for co, timer in pairs(self.timers) do
    self.timers[co] = nil
    if not timer:is_closing() then timer:close() end
  end
  for co in pairs(self.waiting) do
    self.waiting[co] = nil
    coroutine.close(co)
  end
  for i = 1, self.npool do coroutine.close(self.pool[i]) end
  self.pool, self.npool, self.ready, self.nready = {}, 0, {}, 0
end

return M
