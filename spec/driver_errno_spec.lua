-- arango.errno is complete and reproducible: `make errno` (tools/gen_errno.lua) run on
-- ../shared/arangodb/errors.json writes exactly the committed lua/arango/errno.lua.
local json = require "arango.json"
local errno = require "arango.errno"

local ERRORS_JSON = "../shared/arangodb/errors.json"

local function read(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local text = f:read("*a")
  f:close()
  return text
end

describe("driver errno", function()
  local source = read(ERRORS_JSON)

  it("names the well-known codes", function()
    assert.equal(1202, errno.DOCUMENT_NOT_FOUND)
    assert.equal(1203, errno.DATA_SOURCE_NOT_FOUND)
    assert.equal(1210, errno.UNIQUE_CONSTRAINT_VIOLATED)
    assert.equal(1200, errno.CONFLICT)
    assert.equal(11, errno.FORBIDDEN)
    assert.equal(1228, errno.DATABASE_NOT_FOUND)
  end)

  it("holds every code of errors.json, once", function()
    if not source then
      pending(ERRORS_JSON .. " is not available")
      return
    end
    local list = json.decode(source)
    local codes = {}
    for _, code in pairs(errno) do
      assert.is_nil(codes[code], "code " .. tostring(code) .. " appears twice")
      codes[code] = true
    end
    for _, e in ipairs(list) do
      local short = e.name:gsub("^ERROR_ARANGO_", ""):gsub("^ERROR_", "")
      assert.equal(e.code, errno[short], e.name)
    end
    local n = 0
    for _ in pairs(errno) do n = n + 1 end
    assert.equal(#list, n)
  end)

  it("is what the generator writes (make errno reproduces it)", function()
    if not source then
      pending(ERRORS_JSON .. " is not available")
      return
    end
    -- Run the generator in a scratch tree so that the checkout is never written.
    local dir = os.tmpname()
    os.remove(dir)
    assert.truthy(os.execute("mkdir -p " .. dir .. "/lua/arango " .. dir .. "/devserver " .. dir .. "/tools"))
    assert.truthy(os.execute("cp tools/gen_errno.lua " .. dir .. "/tools/"))
    local cwd = assert(io.popen("pwd")):read("*l")
    local ok = os.execute("cd " .. dir .. " && " .. require("spec.support.child").env_prefix()
      .. " lua5.4 tools/gen_errno.lua " .. cwd .. "/" .. ERRORS_JSON .. " >/dev/null")
    local generated = read(dir .. "/lua/arango/errno.lua")
    local generated_data = read(dir .. "/devserver/errors_data.lua")
    os.execute("rm -rf " .. dir)
    assert.truthy(ok)
    assert.equal(read("lua/arango/errno.lua"), generated)
    assert.equal(read("devserver/errors_data.lua"), generated_data)
  end)
end)
