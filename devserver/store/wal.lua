-- Persistence of the store: an append-only log of committed operations (one JSON object per
-- line) next to a snapshot file (the same kind of lines, re-creating the whole state).
--
-- * Every record carries a sequence number `s`; the snapshot's header says up to which number
--   it includes the log, so a crash between "snapshot renamed" and "log truncated" replays
--   nothing twice.
-- * append() write()s the line before returning, so once the caller answers the client the
--   kernel has the data and a kill -9 of the process loses nothing; with `sync` (waitForSync)
--   it also fsyncs before returning.
-- * A torn last line (the process died inside write) is ignored on replay.
-- * compact() writes the snapshot to a temporary file, fsyncs it, renames it over the old one,
--   fsyncs the directory, then truncates the log.
-- File I/O uses luv's synchronous fs calls, which work with or without a running loop.
local uv = require "luv"
local json = require "arango.json"
local errors = require "arango.devserver.errors"

local M = {}

local wal_mt = {}
wal_mt.__index = wal_mt

local SNAPSHOT, LOG = "snapshot.jsonl", "wal.jsonl"

local function fail(what, err)
  errors.raise(500, 4, "storage error: " .. what .. ": " .. tostring(err))
end

local function read_file(path)
  local fd = uv.fs_open(path, "r", 0)
  if not fd then return nil end
  local stat = uv.fs_fstat(fd)
  local parts, offset = {}, 0
  while offset < stat.size do
    local chunk, err = uv.fs_read(fd, math.min(stat.size - offset, 1 << 24), offset)
    if not chunk then uv.fs_close(fd) fail("read " .. path, err) end
    if #chunk == 0 then break end
    parts[#parts + 1] = chunk
    offset = offset + #chunk
  end
  uv.fs_close(fd)
  return table.concat(parts)
end

local function write_all(fd, data, what)
  local done = 0
  while done < #data do
    local n, err = uv.fs_write(fd, done == 0 and data or data:sub(done + 1), -1)
    if not n then fail(what, err) end
    done = done + n
  end
end

local function fsync_dir(dir)
  local fd = uv.fs_open(dir, "r", 0)
  if fd then uv.fs_fsync(fd) uv.fs_close(fd) end
end

--- Opens (creating if needed) the data directory. `opts.sync`: fsync every append.
function M.open(dir, opts)
  opts = opts or {}
  local ok, err = uv.fs_mkdir(dir, tonumber("755", 8))
  if not ok and not tostring(err):find("EEXIST") then fail("mkdir " .. dir, err) end
  local self = setmetatable({ dir = dir, seq = 0, log_bytes = 0, snapshot_bytes = 0,
    always_sync = opts.sync == true, compact_bytes = opts.compact_bytes or 64 * 1024 * 1024 }, wal_mt)
  return self
end

-- Iterates the records of a JSON-lines text; a malformed final line is dropped (torn write),
-- a malformed line elsewhere is an error.
local function each_record(text, path, fn)
  local pos, len, lineno = 1, #text, 0
  while pos <= len do
    local nl = text:find("\n", pos, true)
    local line = text:sub(pos, (nl or len + 1) - 1)
    lineno = lineno + 1
    pos = (nl or len) + 1
    if line ~= "" then
      local ok, rec = pcall(json.decode, line)
      if not ok or type(rec) ~= "table" then
        if nl == nil or pos > len then return end -- torn last line
        error(string.format("corrupt record in %s at line %d", path, lineno), 0)
      end
      if not nl then return end -- no newline: the write was cut short, so never acknowledged
      fn(rec)
    end
  end
end

--- Replays the snapshot and then the log, calling apply(record) for every record.
function wal_mt:load(apply)
  local snap_path = self.dir .. "/" .. SNAPSHOT
  local text = read_file(snap_path)
  local base = 0
  if text then
    self.snapshot_bytes = #text
    each_record(text, snap_path, function(rec)
      if rec.op == "hdr" then base = rec.seq or 0 else apply(rec) end
    end)
  end
  self.seq = base
  local log_path = self.dir .. "/" .. LOG
  text = read_file(log_path)
  if text then
    each_record(text, log_path, function(rec)
      local s = rec.s or 0
      if s > base then
        apply(rec)
        if s > self.seq then self.seq = s end
      end
    end)
  end
end

function wal_mt:_open_log(truncate)
  if self.fd then uv.fs_close(self.fd) end
  local fd, err = uv.fs_open(self.dir .. "/" .. LOG, truncate and "w" or "a", tonumber("644", 8))
  if not fd then fail("open log", err) end
  self.fd = fd
  local st = uv.fs_fstat(fd)
  self.log_bytes = st and st.size or 0
end

--- Appends records (one write for all of them); fsyncs when `sync`. Sets each record's `s`.
function wal_mt:append(recs, sync)
  if not self.fd then self:_open_log(false) end
  local lines = {}
  for i, rec in ipairs(recs) do
    self.seq = self.seq + 1
    rec.s = self.seq
    lines[i] = json.encode(rec)
  end
  local data = table.concat(lines, "\n") .. "\n"
  write_all(self.fd, data, "append to log")
  self.log_bytes = self.log_bytes + #data
  if sync or self.always_sync then
    local ok, err = uv.fs_fsync(self.fd)
    if not ok then fail("fsync log", err) end
  end
end

--- True when the log has grown enough to be worth folding into a new snapshot.
function wal_mt:wants_compaction()
  return self.log_bytes > self.compact_bytes and self.log_bytes > self.snapshot_bytes
end

--- Writes a new snapshot. `produce(emit)` must call emit(record) for every record that
-- re-creates the current state. Then empties the log.
function wal_mt:compact(produce)
  local tmp = self.dir .. "/" .. SNAPSHOT .. ".tmp"
  local fd, err = uv.fs_open(tmp, "w", tonumber("644", 8))
  if not fd then fail("open snapshot", err) end
  local buf, size, total = {}, 0, 0
  local function flush()
    if size > 0 then
      local data = table.concat(buf)
      write_all(fd, data, "write snapshot")
      total = total + #data
      buf, size = {}, 0
    end
  end
  local function emit(rec)
    local line = json.encode(rec) .. "\n"
    buf[#buf + 1] = line
    size = size + #line
    if size > 1 << 20 then flush() end
  end
  local ok, perr = pcall(function()
    emit{ op = "hdr", seq = self.seq, version = 1 }
    produce(emit)
    flush()
  end)
  if not ok then uv.fs_close(fd) uv.fs_unlink(tmp) error(perr, 0) end
  uv.fs_fsync(fd)
  uv.fs_close(fd)
  local rok, rerr = uv.fs_rename(tmp, self.dir .. "/" .. SNAPSHOT)
  if not rok then fail("rename snapshot", rerr) end
  fsync_dir(self.dir)
  self.snapshot_bytes = total
  self:_open_log(true)
  uv.fs_fsync(self.fd)
end

function wal_mt:close()
  if self.fd then uv.fs_close(self.fd) self.fd = nil end
end

return M
