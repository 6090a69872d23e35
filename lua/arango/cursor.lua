--- Cursors over query results.
--
--     local cursor = db.aql:execute("FOR d IN students RETURN d", { batch_size = 100 })
--     for doc in cursor do print(doc.name) end
--
-- Iterating calls a plain closure (never `coroutine.wrap`, which would swallow the transport's
-- yield in coroutine mode): when the current batch is empty and the server has more, the next
-- batch is fetched; errors are raised. With `allow_retry` (the default of `db.aql:execute`)
-- every fetch names its batch (`POST /_api/cursor/{id}/{batchId}`, batch ids from the server's
-- `nextBatchId`), so a fetch can be repeated safely: a fetch that fails in transport is sent
-- again once, on the host that made the cursor, and the server answers with that same batch
-- whether or not it had already sent it. Without it fetches use `POST /_api/cursor/{id}` and a
-- transport failure is raised. A retriable cursor is deleted on the server after its last batch.
-- Consumed items are released, so long streams run in constant client memory.
-- @module arango.cursor

local request_mod = require "arango.request"
local errors = require "arango.errors"
local options = require "arango.options"

local M = {}

local Cursor = {}
Cursor.__index = Cursor
M.Cursor = Cursor

--- Create a cursor from the first response body of `/_api/cursor` (normally via `db.aql:execute`).
-- @param executor the executor that runs the follow-up requests
-- @tparam table body the decoded response (`result`, `id`, `hasMore`, `count`, `extra`, ...)
-- @tparam[opt] table opts `{allow_retry, host, ttl}` (host: the server holding the cursor; ttl:
--   the ttl the query asked for, named in the error when the cursor expired)
-- @return the Cursor
function M.new(executor, body, opts)
  if type(body) ~= "table" then
    errors.DeserializationError:raise("cursor response is not a JSON object (got " .. type(body) .. ")")
  end
  local self = setmetatable({ _executor = executor, _opts = opts or {}, _batch = {}, _head = 1, _tail = 0 },
    Cursor)
  self:_update(body)
  self:_release_if_done()
  return self
end

-- Takes in one response: its items are appended to what is left of the current batch (usually
-- nothing, and then the decoded array is adopted as is, without copying).
function Cursor:_update(body)
  local result = body.result
  if type(result) ~= "table" then result = {} end
  if self._head > self._tail then
    self._batch = result
    self._head = 1
    self._tail = #result
  else
    local batch, tail = self._batch, self._tail
    for i = 1, #result do batch[tail + i] = result[i] end
    self._tail = tail + #result
  end
  if body.id ~= nil then self._id = body.id end
  self._has_more = body.hasMore == true
  if body.count ~= nil then self._count = body.count end
  self._cached = body.cached == true
  self._next_batch_id = body.nextBatchId
  local extra = body.extra
  if type(extra) == "table" then
    if extra.stats ~= nil then self._stats = extra.stats end
    if extra.profile ~= nil then self._profile = extra.profile end
    if extra.warnings ~= nil then self._warnings = extra.warnings end
    if extra.plan ~= nil then self._plan = extra.plan end
  end
end

-- A server keeps a retriable cursor (allowRetry) after its last batch, so that the batch can be
-- read again, until the cursor is deleted or expires: delete it as soon as the last batch is here.
function Cursor:_release_if_done()
  if self._has_more or self._id == nil or not self._opts.allow_retry or self._released then return end
  self._released = true
  pcall(self._delete, self, true)
end

--- Iterate with `for doc in cursor do ... end` (the cursor is callable).
-- @return the next document, or nil at the end
function Cursor:__call()
  return self:next()
end

--- A plain closure iterator over the remaining documents (`for doc in cursor:iter() do`).
-- @treturn function
function Cursor:iter()
  return function() return self:next() end
end

--- The cursor id (nil when every result came in the first batch).
-- @treturn ?string
function Cursor:id() return self._id end

--- The documents left in the current batch (a copy).
-- @treturn table
function Cursor:batch()
  local out = {}
  for i = self._head, self._tail do out[#out + 1] = self._batch[i] end
  return out
end

--- Tell whether the current batch is empty (more may still be on the server).
-- @treturn boolean
function Cursor:empty() return self._head > self._tail end

--- Total number of results, when the query asked for `count` (nil otherwise).
-- @treturn ?int
function Cursor:count() return self._count end

--- Tell whether the server holds more batches.
-- @treturn boolean
function Cursor:has_more() return self._has_more end

--- Tell whether the result came from the query cache.
-- @treturn boolean
function Cursor:cached() return self._cached end

--- Query statistics (`extra.stats` of the latest batch).
-- @treturn ?table
function Cursor:statistics() return self._stats end

--- Query profile (with `profile` enabled).
-- @treturn ?table
function Cursor:profile() return self._profile end

--- Warnings raised by the query.
-- @treturn ?table
function Cursor:warnings() return self._warnings end

--- The execution plan, when the server sent one (`profile = 2`).
-- @treturn ?table
function Cursor:plan() return self._plan end

--- Remove and return the next document of the current batch, without fetching.
-- Raises `CursorEmptyError` when the batch is empty.
-- @return the document
function Cursor:pop()
  if self._head > self._tail then errors.CursorEmptyError:raise("current batch is empty") end
  local i = self._head
  local doc = self._batch[i]
  self._batch[i] = nil   -- release consumed items
  self._head = i + 1
  return doc
end

--- The next document, fetching the next batch when needed; nil at the end.
-- @return the document or nil
function Cursor:next()
  if self._head > self._tail then
    -- a batch may come back empty while more follow (streaming queries)
    repeat
      if not self._has_more then return nil end
      self:_advance()
    until self._head <= self._tail
  end
  return self:pop()
end

-- One fetch request, with a handler that updates this cursor.
function Cursor:_fetch_request(endpoint)
  local req = request_mod.new{ method = "POST", endpoint = endpoint, host = self._opts.host }
  return self._executor:execute(req, function(resp)
    if not resp.is_success then
      local err = errors.CursorNextError:from_response(resp)
      if err.error_code == 1600 then
        -- The bare "cursor not found" does not say why: name the usual causes.
        local ttl = self._opts.ttl and (" of " .. tostring(self._opts.ttl) .. " s") or ""
        err.message = err.message .. " (cursor " .. tostring(self._id) .. " is gone from the server: it "
          .. "expired because no batch was fetched within its ttl" .. ttl .. ", or it was closed)"
      end
      error(err, 0)
    end
    self:_update(resp.body)
  end)
end

-- Fetches the next batch into this cursor. With allow_retry every fetch names its batch
-- (`POST /_api/cursor/{id}/{batchId}`): asking again for the same batch id returns that batch
-- once more instead of the one after it, so a fetch whose answer was lost in transport is simply
-- sent again, once, without skipping or repeating rows.
function Cursor:_advance()
  if self._id == nil then
    errors.CursorStateError:raise("cursor has no id (all results came in the first batch)")
  end
  if self._closed and not self._released then errors.CursorStateError:raise("cursor is closed") end
  if not self._has_more then errors.CursorStateError:raise("cursor is exhausted") end
  local endpoint = "/_api/cursor/" .. request_mod.escape(self._id)
  local batch_id = self._next_batch_id
  local retriable = self._opts.allow_retry and batch_id ~= nil
  if retriable then endpoint = endpoint .. "/" .. request_mod.escape(tostring(batch_id)) end
  local ok, err = pcall(self._fetch_request, self, endpoint)
  if not ok then
    if not (retriable and errors.is(err, errors.ArangoConnectionError)) then error(err, 0) end
    self:_fetch_request(endpoint)
  end
  self:_release_if_done()
end

--- Fetch the next batch from the server; its items are appended to the current batch.
-- Raises `CursorStateError` when the server has no more batches, `CursorNextError` when the
-- server refuses (error code 1600: the cursor expired or was closed).
-- @treturn table `{batch = {...}, has_more, count, id, cached, statistics, warnings, profile}`
function Cursor:fetch()
  self:_advance()
  return {
    batch = self:batch(), has_more = self._has_more, count = self._count, id = self._id,
    cached = self._cached, statistics = self._stats, warnings = self._warnings, profile = self._profile,
  }
end

--- Delete the cursor on the server (frees it before its ttl).
-- Raises `CursorCloseError` when the server does not know the cursor (unless `ignore_missing`).
-- @tparam[opt] table opts `{ignore_missing = false}`
-- @treturn ?boolean true when deleted, nil when there was nothing to delete (every result came in
--   the first batch, or the cursor was released after its last batch), false when it was already
--   gone and `ignore_missing`
function Cursor:close(opts)
  opts = options.check(opts, { ignore_missing = true }, "cursor:close")
  if self._id == nil or self._released then return nil end
  return self:_delete(opts.ignore_missing)
end

-- DELETE /_api/cursor/{id}.
function Cursor:_delete(ignore)
  local req = request_mod.new{ method = "DELETE", endpoint = "/_api/cursor/" .. request_mod.escape(self._id),
    host = self._opts.host }
  return self._executor:execute(req, function(resp)
    if resp.is_success then
      self._has_more = false
      self._closed = true
      return true
    end
    if resp.status_code == 404 and ignore then return false end
    errors.CursorCloseError:raise_from(resp)
  end)
end

--- One-line dump.
-- @treturn string
function Cursor:__tostring()
  return "Cursor(" .. tostring(self._id) .. ")"
end

return M
