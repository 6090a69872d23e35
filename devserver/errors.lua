-- Error objects of the devserver: an HTTP status plus ArangoDB's errorNum and errorMessage.
-- Handlers and the data model raise them with `errors.raise`; the dispatcher catches them and
-- answers {"code":status,"error":true,"errorMessage":...,"errorNum":...} like ArangoDB does.
local errors_data = require "arango.devserver.errors_data"

local M = {}

local error_mt = { __name = "devserver.error" }
error_mt.__index = error_mt
function error_mt:__tostring()
  return string.format("devserver error %d/%d: %s", self.status, self.num, self.message)
end

--- The default message of an errorNum, with `%s`/`%d` placeholders filled from `...` when given.
function M.message(num, ...)
  local entry = errors_data[num]
  if not entry then return "unknown error " .. tostring(num) end
  if select("#", ...) > 0 then
    local args = table.pack(...)
    local i = 0
    return (entry.message:gsub("%%[sd]", function()
      i = i + 1
      return tostring(args[i])
    end))
  end
  return entry.message
end

--- Builds an error object. `message` defaults to the errors.json text of `num`.
function M.new(status, num, message)
  return setmetatable({ status = status, num = num, message = message or M.message(num) }, error_mt)
end

--- Raises an error object (level-less, so no position is prepended).
function M.raise(status, num, message)
  error(M.new(status, num, message), 0)
end

function M.is_error(v)
  return getmetatable(v) == error_mt
end

--- The JSON body ArangoDB sends for an error.
function M.body(err)
  return { code = err.status, error = true, errorMessage = err.message, errorNum = err.num }
end

return M
