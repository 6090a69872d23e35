-- The README's Lua examples must run as written (against a devserver instead of :8529).
local support = require "spec.support.devserver"
local child = require "spec.support.child"

local function readme_blocks()
  local f = assert(io.open("README.md", "rb"))
  local text = f:read("a")
  f:close()
  local blocks = {}
  for code in text:gmatch("```lua\n(.-)```") do blocks[#blocks + 1] = code end
  return blocks
end

describe("README", function()
  local srv
  setup(function() srv = support.start{ auth = true } end)
  teardown(function() if srv then srv.stop() end end)

  it("has the example and the error example", function()
    assert.is_true(#readme_blocks() >= 2)
  end)

  it("runs its examples in order, as one script", function()
    local blocks = readme_blocks()
    -- The last block starts a devserver from Lua; it is run on its own below.
    local script = table.concat(blocks, "\n", 1, 2):gsub("http://127%.0%.0%.1:8529", srv.url)
    local path = os.tmpname()
    local f = assert(io.open(path, "wb"))
    f:write(script)
    f:close()
    local out, ok = child.run(child.quote(path))
    os.remove(path)
    assert(ok, out)
    assert.matches("jane", out)
    assert.matches("409%s+1210", out)
  end)
end)
