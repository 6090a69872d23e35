--- Executors: where a request description meets the connection.
--
-- Every API method builds one request and calls `self._executor:execute(request, handler)`.
-- The default executor sends it at once and returns `handler(response)`. Async, batch and
-- transaction executors (later) keep the same interface, so the method bodies are shared.
-- @module arango.executor

local M = {}

local DefaultExecutor = {}
DefaultExecutor.__index = DefaultExecutor
M.DefaultExecutor = DefaultExecutor

--- Create the default executor over a connection.
-- @param connection an `arango.connection` object
-- @return the executor
function DefaultExecutor.new(connection)
  return setmetatable({ connection = connection, context = "default" }, DefaultExecutor)
end

--- Send `request` now and turn its response into a result.
-- @param request an `arango.request` description
-- @tparam function response_handler `function(resp) -> result` (raises the method's error class)
-- @return whatever the handler returns
function DefaultExecutor:execute(request, response_handler)
  local resp = self.connection:send(request)
  return response_handler(resp)
end

return M
