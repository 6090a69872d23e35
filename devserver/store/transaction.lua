-- Transactions of the store: a unit of document writes that is committed to the log as ONE
-- record (replayed all or nothing) or rolled back in memory.
--
--   local trx = server:begin{ waitForSync = false }
--   col:insert(doc, { trx = trx, ... })       -- every document operation takes opts.trx
--   trx:commit()                              -- one log unit (fsync when any op asked for it)
--   trx:abort()                               -- undoes the writes in reverse order
--   server:run_in_transaction(fn, opts)       -- fn(trx); commits, or aborts and re-raises
--
-- While a transaction runs, the keys it wrote are locked: another writer touching them gets
-- 409/1200 (write-write conflict), as does a truncate of a collection it wrote to. Unique
-- index values its writes gave up stay reserved until it ends, so a rollback can always put
-- the old documents back. Reads are not isolated: everybody sees the uncommitted writes (the
-- transaction's own reads see its writes, as required). Key generators are not rolled back
-- (ArangoDB does not either). Log compaction waits until no transaction has pending writes,
-- so a snapshot never holds uncommitted data.
local errors = require "arango.devserver.errors"

local M = {}

local trx_mt = {}
trx_mt.__index = trx_mt
M.mt = trx_mt

--- Starts a transaction on `server`. opts.waitForSync: fsync the commit.
function M.begin(server, opts)
  return setmetatable({
    server = server,
    id = tostring(server:tick()),
    state = "running",
    sync = (opts and opts.waitForSync) == true,
    undo = {},      -- { col, key, old, pos, order } | { col, trunc = saved state }
    recs = {},      -- buffered log records, with the collection of each in rec_cols
    rec_cols = {},
    locked = {},    -- { col, key } pairs this transaction locked
    held = {},      -- { idx, value key } unique values reserved by this transaction
  }, trx_mt)
end

--- The error of a write that collides with another running transaction.
function M.conflict()
  errors.raise(409, 1200, "conflict, write-write conflict")
end

local function started_writing(self)
  if not self.writing then
    self.writing = true
    local s = self.server
    s.active_trx = (s.active_trx or 0) + 1
  end
end

-- Called by the collection before it changes document `key` (old: its current version or
-- nil): locks the key and notes how to undo the change.
function trx_mt:_note(col, key, old)
  if self.state ~= "running" then errors.raise(400, 1653, "transaction aborted") end
  started_writing(self)
  local locks = col.locks
  if locks[key] ~= self then
    locks[key] = self
    self.locked[#self.locked + 1] = { col, key }
  end
  if old then
    -- keep the unique values of the version we replace: a rollback puts them back
    for i = 2, #col.indexes do
      local idx = col.indexes[i]
      if idx.entries then
        local held = idx.held
        if not held then held = {} idx.held = held end
        for _, k in ipairs(idx:keys_of(old)) do
          if held[k] == nil then
            held[k] = self
            self.held[#self.held + 1] = { idx, k }
          end
        end
      end
    end
  end
  self.undo[#self.undo + 1] = { col, key, old, col.pos[key], col.order }
end

-- Called before a truncate inside the transaction: the whole collection is locked.
function trx_mt:_note_truncate(col)
  if self.state ~= "running" then errors.raise(400, 1653, "transaction aborted") end
  started_writing(self)
  if col.excl ~= self then
    col.excl = self
    self.locked[#self.locked + 1] = { col, false }
  end
  self.undo[#self.undo + 1] = { col, trunc = { docs = col.docs, order = col.order, pos = col.pos,
    ndocs = col.ndocs, nholes = col.nholes } }
end

-- Buffers a log record of collection `col`; `sync` asks for an fsync at commit.
function trx_mt:_log(col, rec, sync)
  local n = #self.recs + 1
  self.recs[n] = rec
  self.rec_cols[n] = col
  if sync then self.sync = true end
end

--- True while the transaction can take more operations.
function trx_mt:running()
  return self.state == "running"
end

function trx_mt:_finish(state)
  self.state = state
  for _, l in ipairs(self.locked) do
    local col, key = l[1], l[2]
    if key == false then
      if col.excl == self then col.excl = nil end
    elseif col.locks[key] == self then
      col.locks[key] = nil
    end
  end
  for _, h in ipairs(self.held) do
    local idx, k = h[1], h[2]
    if idx.held and idx.held[k] == self then idx.held[k] = nil end
  end
  self.locked, self.held, self.undo, self.recs, self.rec_cols = {}, {}, {}, {}, {}
  if self.writing then
    self.writing = false
    local s = self.server
    s.active_trx = s.active_trx - 1
    if s.active_trx == 0 then s:_compact_if_due() end
  end
end

--- Writes every buffered record as one log unit and ends the transaction. A failing write
-- (storage error) rolls the transaction back and re-raises. Committing twice is an error.
function trx_mt:commit()
  if self.state ~= "running" then
    errors.raise(400, 1653, "transaction is not running (" .. self.state .. ")")
  end
  local recs = {}
  for i, rec in ipairs(self.recs) do
    local col = self.rec_cols[i]
    -- writes into a collection (or database) dropped meanwhile are gone with it
    if not col.dropped and col.db.server.dbs[col.db.name] == col.db then recs[#recs + 1] = rec end
  end
  local ok, err = pcall(self.server.log_unit, self.server, recs, self.sync)
  if not ok then
    self:abort()
    error(err, 0)
  end
  self:_finish("committed")
end

--- Undoes every write in reverse order and ends the transaction (no-op when already ended).
function trx_mt:abort()
  if self.state ~= "running" then return end
  local undo = self.undo
  for i = #undo, 1, -1 do
    local u = undo[i]
    local col = u[1]
    if not col.dropped then
      if u.trunc then col:_untruncate(u.trunc) else col:_restore(u[2], u[3], u[4], u[5]) end
    end
  end
  self:_finish("aborted")
end

return M
