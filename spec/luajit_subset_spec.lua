-- The driver layer (lua/arango) is shared with the OpenResty transport, so every file must
-- also load under LuaJIT: no integer division, no bit operators, no 5.3+ syntax.
local function driver_files()
  local files = {}
  local p = assert(io.popen("find lua/arango -path lua/arango/devserver -prune -o -name '*.lua' -print"))
  for line in p:lines() do files[#files + 1] = line end
  p:close()
  table.sort(files)
  return files
end

local function luajit_available()
  return os.execute("command -v luajit >/dev/null 2>&1") == true
end

describe("driver layer in the LuaJIT subset", function()
  it("has driver files to check", function()
    assert.is_true(#driver_files() > 0)
  end)

  for _, file in ipairs(driver_files()) do
    local test = luajit_available() and it or pending
    test("loads under LuaJIT: " .. file, function()
      local check = "local f, err = loadfile(%q); if not f then io.stderr:write(err) os.exit(1) end"
      local p = io.popen(string.format("luajit -e '" .. check .. "' 2>&1", file))
      local out = p:read("a")
      local ok = p:close()
      assert(ok, out)
    end)
  end

  it("rejects code outside the subset (the check can fail)", function()
    if not luajit_available() then return pending("luajit not installed") end
    local p = io.popen([[luajit -e 'assert(loadstring("return 7 // 2"))' 2>&1]])
    p:read("a")
    assert.is_falsy(p:close())
  end)
end)
