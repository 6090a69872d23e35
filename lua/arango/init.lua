--- lua-arango: an ArangoDB driver for Lua.
--
--     local arango = require "arango"
--     local client = arango.client{ hosts = "http://127.0.0.1:8529" }
--     local db = client:db("_system", { username = "root", password = "" })
--     print(db:version())
--
-- @module arango

local M = {
  _VERSION = "0.1.0",
  errors = require "arango.errors",
  errno = require "arango.errno",
  -- The AQL query builder: arango.aql("... ", value, " ..."), .template, .literal, .join.
  aql = require "arango.aql_query",
}

--- Create a client (see `arango.client.new` for the options).
-- @tparam[opt] table opts
-- @return an `arango.client` Client
function M.client(opts)
  return require("arango.client").new(opts)
end

-- The codec is loaded on first use, so that the pure-Lua parts work without the C modules.
setmetatable(M, {
  __index = function(t, k)
    if k == "json" then
      local json = require "arango.json"
      rawset(t, "json", json)
      return json
    end
    return nil
  end,
})

return M
