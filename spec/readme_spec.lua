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

  it("has the example, errors, the query builder and coroutines", function()
    assert.equal(4, #readme_blocks())
  end)

  it("runs its examples in order, as one script, and uv.run() returns", function()
    local script = table.concat(readme_blocks(), "\n"):gsub("http://127%.0%.0%.1:8529", srv.url)
    local path = os.tmpname()
    local f = assert(io.open(path, "wb"))
    f:write(script)
    f:close()
    local out, ok = child.run(child.quote(path))
    os.remove(path)
    assert(ok, out)
    assert.matches("^jane\n", out)
    assert.matches("\n409%s+1210%s+unique constraint", out)
    assert.matches("\nnil\n", out)
    assert.matches("\n19\n", out)
    for _, line in ipairs{ "18\t1", "19\t1", "20\t0" } do
      assert.truthy(out:find(line, 1, true), out)
    end
  end)
end)
