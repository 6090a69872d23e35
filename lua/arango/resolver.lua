--- Host resolvers: pick the host for the next request.
-- @module arango.resolver

local errors = require "arango.errors"

local M = {}

local RoundRobin = {}
RoundRobin.__index = RoundRobin

--- A resolver that cycles through the hosts in order.
-- @tparam int count number of hosts
-- @return the resolver (`resolver:index()` returns 1..count)
function M.roundrobin(count)
  return setmetatable({ count = count, last = 0 }, RoundRobin)
end

--- Next host index.
-- @treturn int
function RoundRobin:index()
  self.last = self.last % self.count + 1
  return self.last
end

local Random = {}
Random.__index = Random

--- A resolver that picks a host at random.
-- @tparam int count number of hosts
-- @return the resolver
function M.random(count)
  return setmetatable({ count = count }, Random)
end

--- Next host index.
-- @treturn int
function Random:index()
  return math.random(self.count)
end

--- Make a resolver by name ("roundrobin" or "random") or return a custom one unchanged.
-- A custom resolver is any table with an `index()` method returning 1..count.
-- @param kind name or resolver object
-- @tparam int count number of hosts
-- @return the resolver
function M.make(kind, count)
  if kind == nil or kind == "roundrobin" then return M.roundrobin(count) end
  if kind == "random" then return M.random(count) end
  if type(kind) == "table" and type(kind.index) == "function" then return kind end
  errors.ArangoOptionError:raise("host_resolver must be \"roundrobin\", \"random\" or an object with "
    .. "index() (got " .. tostring(kind) .. ")")
end

return M
