-- Every public function of the driver (lua/arango/*.lua) has an LDoc comment, and `ldoc` builds
-- the reference from config.ld without a warning.

local function read(path)
  local f = assert(io.open(path, "rb"))
  local text = f:read("*a")
  f:close()
  return text
end

local function driver_files()
  local files = {}
  local p = assert(io.popen("ls lua/arango/*.lua"))
  for line in p:lines() do files[#files + 1] = line end
  p:close()
  assert.truthy(#files > 10, "run the specs from the checkout")
  return files
end

-- Public functions of one file without a `---` comment block right above them, as "file:line name".
local function undocumented(path, text)
  local lines = {}
  for line in (text .. "\n"):gmatch("([^\n]*)\n") do lines[#lines + 1] = line end
  local out = {}
  for i, line in ipairs(lines) do
    -- `function M.name(` / `function Class:name(` at the top level; names with a leading
    -- underscore are private by convention.
    local name = line:match("^function%s+[%w_]+[.:]([%a][%w_]*)%s*%(")
    if name then
      local j = i - 1
      while j > 0 and lines[j]:match("^%-%-") and not lines[j]:match("^%-%-%-") do j = j - 1 end
      if j == 0 or not lines[j]:match("^%-%-%-") then
        out[#out + 1] = path .. ":" .. i .. " " .. name
      end
    end
  end
  return out
end

describe("driver LDoc", function()
  it("finds an undocumented function (self-check of the scanner)", function()
    local bad = undocumented("x.lua", "-- not LDoc\nfunction M.f() end\n\n--- doc\n-- @param a\n"
      .. "function M:g(a) end\nfunction M._private() end\nlocal function h() end\n")
    assert.same({ "x.lua:2 f" }, bad)
  end)

  it("documents every public function of lua/arango", function()
    local missing = {}
    for _, path in ipairs(driver_files()) do
      for _, m in ipairs(undocumented(path, read(path))) do missing[#missing + 1] = m end
    end
    assert.same({}, missing)
  end)

  it("has a module comment in every driver file", function()
    for _, path in ipairs(driver_files()) do
      assert.truthy(read(path):find("@module arango", 1, true), path .. " has no @module")
    end
  end)

  it("builds the reference with ldoc without warnings", function()
    if os.execute("command -v ldoc >/dev/null 2>&1") ~= true then
      pending("ldoc is not installed (Debian: lua-ldoc)")
      return
    end
    local dir = os.tmpname()
    os.remove(dir)
    local p = assert(io.popen("ldoc -d " .. dir .. " . 2>&1; echo \"rc=$?\""))
    local out = p:read("*a")
    p:close()
    os.execute("rm -rf " .. dir)
    assert.matches("rc=0", out)
    for line in out:gmatch("[^\n]+") do
      -- only ldoc's own progress lines; a "format: markdown not found" fallback is a warning too
      -- (scripts/deps.sh installs lua-markdown for it)
      local known = line:match("^reading configuration") or line:match("^output written")
        or line:match("^rc=")
      assert.truthy(known, "ldoc warning: " .. line)
    end
  end)
end)
