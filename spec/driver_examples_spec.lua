-- Runs every example against the server and checks what it prints.
local driver = require "spec.support.driver"

describe("driver examples", function()
  local env
  setup(function() env = driver.acquire() end)
  teardown(function() driver.release() end)

  local expectations = {
    ["quickstart.lua"] = { "students: jane, josh, judy" },
    ["databases.lua"] = { "has example_databases: true", "user: example_owner", "deleted: true" },
    ["collections.lua"] = { "collection students %(document%)", "collection friends %(edge%)",
      "wait for sync now: true", "count after truncate: 0", "renamed to: pupils", "has pupils: false" },
    ["documents.lua"] = { "inserted students/lola", "missing: nil", "updated GPA: 3.6",
      "replaced, last name now: nil", "got 2 documents", "count: 6", "GPA 3.6: john\n",
      "updated by example: 1", "deleted by example: 1", "left: lola\n" },
    ["indexes.lua"] = { "added persistent index by_name", "index primary on _key" },
    ["users.lua"] = { "created johndoe %(engineer%)", "title now: lead", "database permission: rw",
      "collection permission: ro", "johndoe exists: false" },
    ["admin.lua"] = { "version: %d", "server: arango", "role: SINGLE", "routing reloaded: true" },
    ["errors.lua"] = { "class: DocumentInsertError", "http code: 409", "error code: 1210",
      "client%-side: DocumentParseError is ArangoClientError: true", "missing document: nil",
      "transport: ArangoConnectRefusedError kind=connect" },
    ["aql.lua"] = { "oldest first: mary, john", "matched: 0", "Error 1500", "Error 1591", "cached: true" },
    ["cursors.lua"] = { "batch: Abby, Dave", "rest: John, Mary, Suzy", "expired: CursorNextError 1600" },
  }

  for file, lines in pairs(expectations) do
    it("runs examples/" .. file, function()
      local out, ok = driver.run_example(file)
      assert.is_true(ok, out)
      for _, pattern in ipairs(lines) do
        assert.truthy(out:find(pattern), "missing '" .. pattern .. "' in:\n" .. out)
      end
      if env.password ~= "" then assert.is_nil(out:find(env.password, 1, true)) end
    end)
  end
end)
