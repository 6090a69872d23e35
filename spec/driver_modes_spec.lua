-- The same API calls in blocking mode (plain script, main thread) and in coroutines on the luv
-- loop, for every area of issue 4; and the host resolvers over an `http_client` hook.
local driver = require "spec.support.driver"
local coroutines = require "spec.support.coroutines"
local arango = require "arango"

-- Runs fns as coroutines on the luv loop; checks that each one really yielded to the loop (the
-- call is asynchronous there) and returns their results in order. Errors are re-raised.
local function in_coroutines(fns)
  local results, suspended = coroutines.run(fns, 30)
  assert.equal(#fns, suspended)
  local out = {}
  for i, r in ipairs(results) do
    assert(r.ok, r.value)
    out[i] = r.value
  end
  return out
end

describe("driver blocking and coroutine modes", function()
  local env, sys, db, db_name
  setup(function()
    env = driver.acquire()
    sys = driver.db("_system")
    db, db_name = driver.scratch_db("modes")
  end)
  teardown(function()
    driver.drop_db(db_name)
    driver.release()
  end)

  -- Each area: a function of a distinct suffix that exercises a few methods and returns a
  -- summary; it must give the same summary in both modes.
  local areas = {
    databases = function(s)
      local name = db_name .. "_db" .. s
      sys:create_database(name)
      local has = sys:has_database(name)
      local deleted = sys:delete_database(name)
      return tostring(has) .. "," .. tostring(deleted) .. "," .. tostring(sys:has_database(name))
    end,
    collections = function(s)
      local col = db:create_collection("col" .. s, { edge = true })
      local props = col:properties()
      local has = db:has_collection("col" .. s)
      db:delete_collection("col" .. s)
      return props.type .. "," .. tostring(has)
    end,
    documents = function(s)
      local col = db:collection("docs")
      col:insert{ _key = "k" .. s, n = 1 }
      col:update{ _key = "k" .. s, n = 2 }
      local n = col:get("k" .. s).n
      col:delete("k" .. s)
      return n .. "," .. tostring(col:get("k" .. s))
    end,
    indexes = function(s)
      local col = db:collection("docs")
      local idx = col:add_persistent_index{ fields = { "f" .. s }, name = "idx" .. s }
      local found = false
      for _, i in ipairs(col:indexes()) do if i.name == "idx" .. s then found = true end end
      col:delete_index(idx.id)
      return tostring(found)
    end,
    users = function(s)
      local name = db_name .. "_u" .. s
      sys:create_user{ username = name, password = "pw" }
      sys:update_permission{ username = name, permission = "ro", database = db_name }
      local level = sys:permission(name, db_name)
      sys:delete_user(name)
      return level .. "," .. tostring(sys:has_user(name))
    end,
    admin = function(s)
      local echo = sys:echo{ n = s }
      return type(sys:version()) .. "," .. type(sys:time()) .. "," .. echo.requestType
    end,
  }

  setup(function() db:create_collection("docs") end)

  for area, fn in pairs(areas) do
    it(area .. " in a plain script and in coroutines", function()
      local blocking = fn("b")
      assert.equal("string", type(blocking))
      local results = in_coroutines{
        function() return fn("c1") end,
        function() return fn("c2") end,
        function() return fn("c3") end,
      }
      for _, r in ipairs(results) do assert.equal(blocking, r) end
    end)
  end

  it("still works blocking after the loop ran coroutines", function()
    assert.matches("^%d", sys:version())
    assert.same({ "docs" }, (function()
      local names = {}
      for _, c in ipairs(db:collections()) do if not c.system then names[#names + 1] = c.name end end
      return names
    end)())
  end)

  describe("host resolvers", function()
    -- Three host names, one server: an http_client hook records the host each request was for
    -- and forwards it to the real server.
    local hosts = { "http://h1.invalid:1", "http://h2.invalid:2", "http://h3.invalid:3" }
    local function forwarding()
      local core = require "arango.core"
      local t = { seen = {}, engine = core.http{} }
      function t:request(req)
        self.seen[#self.seen + 1] = req.url
        local copy = {}
        for k, v in pairs(req) do copy[k] = v end
        copy.url = env.url
        return self.engine:request(copy)
      end
      return t
    end

    local function run(resolver, n)
      local t = forwarding()
      local client = arango.client{ hosts = hosts, host_resolver = resolver, http_client = t }
      local h = client:db("_system", { username = env.user, password = env.password })
      for _ = 1, n do assert.matches("^%d", h:version()) end
      t.engine:close()
      return t.seen
    end

    it("round-robins by default and when asked", function()
      for _, resolver in ipairs{ false, "roundrobin" } do
        local seen = run(resolver or nil, 7)
        assert.same({ hosts[1], hosts[2], hosts[3], hosts[1], hosts[2], hosts[3], hosts[1] }, seen)
      end
    end)

    it("picks hosts at random", function()
      math.randomseed(42)
      local seen = run("random", 60)
      local count, in_order = {}, true
      for i, url in ipairs(seen) do
        count[url] = (count[url] or 0) + 1
        if url ~= hosts[(i - 1) % 3 + 1] then in_order = false end
      end
      for _, h in ipairs(hosts) do assert.truthy((count[h] or 0) > 0, h .. " never used") end
      assert.is_false(in_order)
    end)

    it("takes a custom resolver object", function()
      local resolver = { index = function() return 2 end }
      local seen = run(resolver, 3)
      assert.same({ hosts[2], hosts[2], hosts[2] }, seen)
    end)

    it("rejects an unknown resolver name", function()
      assert.has_error(function() arango.client{ hosts = hosts, host_resolver = "fastest" } end)
    end)
  end)
end)
