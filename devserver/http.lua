-- HTTP/1.1 server on luv TCP for the devserver.
--
-- The parser works on the connection's buffer with string.find/match (no per-byte loops):
-- find the end of the header block, match the request line and the header lines, then take
-- the body by Content-Length or by decoding chunked transfer encoding. Every complete request
-- found in a read is handed to the handler in order, and all the responses of that read go
-- out in a single write: that is what makes pipelining answer in order and keeps the syscall
-- count low under keep-alive load.
--
-- A handler may also answer later (it returns nil and calls `reply(res)` from the loop, see
-- devserver/scheduler.lua). The connection then stops taking requests from its buffer until
-- that answer is out, so pipelined requests still run and answer in order.
--
-- A client that goes away while its request is still being answered should not keep the
-- server busy (ArangoDB kills the query of a closed connection). The request is then marked:
-- `req.disconnected = true`, and `req.on_disconnect(req)` is called when the dispatcher set
-- it (the router uses it to set `ctx.disconnected`, which a running query checks at its next
-- slice). What counts as gone:
--   * a read error (ECONNRESET: the client reset or vanished) or a failed write: at once;
--   * a clean EOF is ambiguous, because a client that half-closes (shutdown after sending)
--     still waits for its answer, while one that closed its socket entirely looks the same.
--     It is therefore only a disconnect if writing the answer later fails; until then the
--     request runs on (see the half-close spec).
local uv = require "luv"

local M = {}

local concat, find, sub, lower, match = table.concat, string.find, string.sub, string.lower, string.match

M.DEFAULT_MAX_BODY = 512 * 1024 * 1024
local MAX_HEADER = 1024 * 1024

local REASONS = {
  [100] = "Continue", [200] = "OK", [201] = "Created", [202] = "Accepted", [204] = "No Content",
  [301] = "Moved Permanently", [304] = "Not Modified", [307] = "Temporary Redirect",
  [400] = "Bad Request", [401] = "Unauthorized", [403] = "Forbidden", [404] = "Not Found",
  [405] = "Method Not Allowed", [406] = "Not Acceptable", [409] = "Conflict", [410] = "Gone",
  [411] = "Length Required", [412] = "Precondition Failed", [413] = "Payload Too Large",
  [415] = "Unsupported Media Type", [431] = "Request Header Fields Too Large",
  [500] = "Internal Server Error", [501] = "Not Implemented", [503] = "Service Unavailable",
}
M.REASONS = REASONS

local STATUS_LINE = {}
local function status_line(status)
  local s = STATUS_LINE[status]
  if not s then
    s = "HTTP/1.1 " .. status .. " " .. (REASONS[status] or "Unknown") .. "\r\n"
    STATUS_LINE[status] = s
  end
  return s
end

-- Serialises one response into `out` (a list of strings). `res.headers` is a list of
-- {name, value} pairs or a map; `res.head_only` sends the headers (with the real length) only.
local function render(out, res, keep_alive)
  local n = #out
  local body = res.body or ""
  n = n + 1; out[n] = status_line(res.status)
  local headers = res.headers
  if headers then
    if headers[1] ~= nil then
      for i = 1, #headers do
        local h = headers[i]
        n = n + 1; out[n] = h[1] .. ": " .. h[2] .. "\r\n"
      end
    else
      for k, v in pairs(headers) do
        n = n + 1; out[n] = k .. ": " .. v .. "\r\n"
      end
    end
  end
  n = n + 1
  out[n] = (keep_alive and "connection: Keep-Alive\r\ncontent-length: "
    or "connection: Close\r\ncontent-length: ") .. #body .. "\r\n\r\n"
  if not res.head_only and #body > 0 then n = n + 1; out[n] = body end
end

-- Decodes a chunked body that starts at `pos` of `buf`. Returns body, next_pos on success;
-- nil when more data is needed; false, message when the encoding is malformed.
local function dechunk(buf, pos, max_body)
  local parts, np, total = {}, 0, 0
  while true do
    local s, e, hex = find(buf, "^(%x+)[^\r\n]*\r\n", pos)
    if not s then
      if #buf - pos > 1024 and not find(buf, "\r\n", pos, true) then return false, "bad chunk size" end
      if find(buf, "^[^\r\n]*\r\n", pos) then return false, "bad chunk size" end
      return nil
    end
    if #hex > 15 then return false, "chunk too large" end
    local size = tonumber(hex, 16)
    pos = e + 1
    if size == 0 then
      -- optional trailers, then the terminating empty line
      local _, te = find(buf, "\r\n", pos, true)
      if not te then return nil end
      if te == pos + 1 then return concat(parts), te + 1 end
      local _, tend = find(buf, "\r\n\r\n", pos, true)
      if not tend then return nil end
      return concat(parts), tend + 1
    end
    total = total + size
    if total > max_body then return false, "too large" end
    if #buf < pos + size + 1 then return nil end
    if sub(buf, pos + size, pos + size + 1) ~= "\r\n" then return false, "bad chunk terminator" end
    np = np + 1; parts[np] = sub(buf, pos, pos + size - 1)
    pos = pos + size + 2
  end
end

--- Starts listening. `opts`: host, port, max_body_size, on_request(req, reply) -> res,
-- on_error(status, message) -> res for protocol errors (a response to send before closing).
-- on_request returns the response, or nil when it will call `reply(res)` later (once).
-- req = { method, target, version, headers (lower-case names), body }.
-- res = { status, headers, body, head_only }.
-- @return server object { port, close() } or nil, error
function M.listen(opts)
  local handler = assert(opts.on_request, "on_request required")
  local on_error = assert(opts.on_error, "on_error required")
  local max_body = opts.max_body_size or M.DEFAULT_MAX_BODY
  local tcp = uv.new_tcp()
  local ok, err = tcp:bind(opts.host or "127.0.0.1", opts.port or 0)
  if not ok then tcp:close(); return nil, err end
  local clients = {}
  local server = { connections = 0, accepted = 0, clients = clients }

  local function accept()
    local client = uv.new_tcp()
    if not tcp:accept(client) then client:close(); return end
    pcall(client.nodelay, client, true)
    local conn = {}             -- what server.close needs of this connection
    clients[client] = conn
    server.connections = server.connections + 1
    server.accepted = server.accepted + 1
    local chunks, nchunks, have, need = {}, 0, 0, 1
    local closing = false
    local continue_sent = false
    local pending = false       -- a request is being answered asynchronously
    local pending_req           -- that request, to mark when the client goes away
    local answered_req          -- the request whose late answer the next flush writes
    local eof = false           -- the client finished sending while an answer was pending
    local process

    -- Marks `r` as belonging to a client that went away (once).
    local function mark(r)
      if not r or r.disconnected then return end
      r.disconnected = true
      local hook = r.on_disconnect
      if hook then
        local hok, herr = pcall(hook, r)
        if not hok then io.stderr:write("devserver: on_disconnect: ", tostring(herr), "\n") end
      end
    end

    -- The client is gone: the request still being answered learns it.
    local function gone() mark(pending_req) end
    conn.gone = gone

    local function close_client()
      if clients[client] then
        clients[client] = nil
        server.connections = server.connections - 1
      end
      if not client:is_closing() then client:close() end
    end

    -- Sends `out` (already rendered responses); when `close` is set, closes after the write.
    -- A failed write means the peer is gone (EPIPE/ECONNRESET): a request still pending then
    -- is a disconnected one, and the socket is closed.
    local function flush(out, close)
      local answered = answered_req
      answered_req = nil
      if #out > 0 then
        client:write(out, function(werr)
          if werr then
            mark(answered)
            gone()
            closing = true
            close_client()
          elseif close then
            close_client()
          end
        end)
        if not close then return end
      elseif close then
        close_client()
      end
      if close then closing = true; client:read_stop() end
    end

    local function fail(out, status, message)
      local res = on_error(status, message)
      render(out, res, false)
      flush(out, true)
    end

    -- Answers an asynchronous request, then goes on with the requests buffered meanwhile.
    local function make_reply(keep_alive)
      local used = false
      return function(res)
        if used then return end
        used = true
        pending = false
        -- a failed write of this answer still marks its request (flush)
        answered_req, pending_req = pending_req, nil
        if closing or not clients[client] then answered_req = nil; return end
        local out = {}
        render(out, res, keep_alive)
        if not keep_alive then return flush(out, true) end
        local ok2, perr = pcall(process, out)
        if not ok2 then
          io.stderr:write("devserver: connection error: ", tostring(perr), "\n")
          if not client:is_closing() then close_client() end
        elseif eof and not pending and not closing then
          -- the client half-closed after its requests: close once the answers are written
          closing = true
          local shut = pcall(client.shutdown, client, function() close_client() end)
          if not shut then close_client() end
        end
      end
    end

    -- Handles every complete request in the buffer; `out` holds responses not yet written.
    process = function(out)
      if pending or closing or have < need then return flush(out, false) end
      local buf = nchunks == 1 and chunks[1] or concat(chunks, "", 1, nchunks)
      local pos = 1
      local len = #buf
      local want = 1
      while pos <= len do
        local hs, he = find(buf, "\r\n\r\n", pos, true)
        if not hs then
          if len - pos + 1 > MAX_HEADER then return fail(out, 431, "request header too large") end
          -- a complete first line that is no request line is garbage: answer now, not at 1 MB
          local _, fl = find(buf, "^[^\r\n]*\r\n", pos)
          if fl and fl > pos + 1 and not find(buf, "^[A-Z]+ %S+ HTTP/1%.[01]\r\n", pos) then
            return fail(out, 400, "malformed request line")
          end
          want = len - pos + 2
          break
        end
        if he - pos + 1 > MAX_HEADER then return fail(out, 431, "request header too large") end
        local ls, le, method, target, minor = find(buf, "^([A-Z]+) (%S+) HTTP/1%.([01])\r\n", pos)
        if not ls then
          -- tolerate empty lines between requests (RFC 7230 3.5)
          local _, skip = find(buf, "^[\r\n]+", pos)
          if skip then
            pos = skip + 1
            goto continue
          end
          return fail(out, 400, "malformed request line")
        end
        do
          local headers = {}
          local hpos = le + 1
          -- header lines: everything between the request line and the blank line must match
          while hpos < hs + 2 do
            local s, e, name, value = find(buf, "^([!#$%%&'*+%-.^_`|~%w]+):[ \t]*([^\r\n]-)[ \t]*\r\n", hpos)
            if not s or e > hs + 1 then return fail(out, 400, "malformed header") end
            name = lower(name)
            local old = headers[name]
            headers[name] = old and (old .. ", " .. value) or value
            hpos = e + 1
          end
          local body_start = he + 1
          local body, next_pos
          local te = headers["transfer-encoding"]
          local cl = headers["content-length"]
          if te then
            if lower(te) ~= "chunked" then return fail(out, 400, "unsupported transfer-encoding") end
            local b, np = dechunk(buf, body_start, max_body)
            if b == false then
              if np == "too large" then return fail(out, 413, "request too large") end
              return fail(out, 400, np)
            end
            if not b then
              if not continue_sent and headers.expect and lower(headers.expect) == "100-continue" then
                continue_sent = true
                out[#out + 1] = "HTTP/1.1 100 Continue\r\n\r\n"
              end
              want = len - pos + 2
              break
            end
            body, next_pos = b, np
          elseif cl then
            if not match(cl, "^%d+$") or #cl > 15 then return fail(out, 400, "bad content-length") end
            local n = tonumber(cl)
            if n > max_body then return fail(out, 413, "request too large") end
            if len < body_start + n - 1 then
              if not continue_sent and headers.expect and lower(headers.expect) == "100-continue" then
                continue_sent = true
                out[#out + 1] = "HTTP/1.1 100 Continue\r\n\r\n"
              end
              want = body_start + n - pos
              break
            end
            body = sub(buf, body_start, body_start + n - 1)
            next_pos = body_start + n
          else
            body, next_pos = "", body_start
          end
          continue_sent = false
          local conn_hdr = headers.connection
          local keep_alive
          if minor == "1" then
            keep_alive = not (conn_hdr and find(lower(conn_hdr), "close", 1, true))
          else
            keep_alive = conn_hdr ~= nil and find(lower(conn_hdr), "keep-alive", 1, true) ~= nil
          end
          pos = next_pos
          local req = { method = method, target = target, version = "1." .. minor,
                        headers = headers, body = body, peer = client }
          local res = handler(req, make_reply(keep_alive))
          if res == nil then
            -- answered later: keep the rest of the buffer for when the answer is out
            pending = true
            pending_req = req
            want = 1
            break
          end
          render(out, res, keep_alive)
          if not keep_alive then
            flush(out, true)
            return
          end
        end
        ::continue::
      end
      -- keep the unconsumed tail
      if pos > len then
        chunks, nchunks, have, need = {}, 0, 0, 1
      else
        local rest = pos == 1 and buf or sub(buf, pos)
        chunks, nchunks, have, need = { rest }, 1, #rest, want
      end
      flush(out, false)
    end

    client:read_start(function(rerr, data)
      if closing then return end
      if rerr or not data then
        if pending and not rerr then
          -- a half-closed client still gets the answer it is waiting for; if it closed
          -- entirely, writing that answer fails and marks the request then (flush)
          eof = true
          client:read_stop()
          return
        end
        -- a read error (reset) while a request is pending: the client is gone, say so now
        if rerr then gone() end
        close_client()
        return
      end
      nchunks = nchunks + 1; chunks[nchunks] = data
      have = have + #data
      if pending or have < need then return end
      local ok2, perr = pcall(process, {})
      if not ok2 then
        io.stderr:write("devserver: connection error: ", tostring(perr), "\n")
        if not client:is_closing() then
          local out = {}
          pcall(render, out, on_error(500, "internal error"), false)
          pcall(client.write, client, out)
          close_client()
        end
      end
    end)
  end

  tcp:listen(opts.backlog or 511, function(lerr)
    if lerr then return end
    accept()
  end)
  local addr = tcp:getsockname()
  server.port = addr.port
  server.host = addr.ip
  function server.close()
    if not tcp:is_closing() then tcp:close() end
    for c, conn in pairs(clients) do
      clients[c] = nil
      -- requests still being answered will never be delivered: let their handlers stop
      if type(conn) == "table" and conn.gone then conn.gone() end
      if not c:is_closing() then c:close() end
    end
    server.connections = 0
  end
  return server
end

return M
