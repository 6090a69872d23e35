-- luacheck configuration for lua-arango.
std = "lua54"
max_line_length = 110
codes = true
exclude_files = { "build/", "lua/arango/devserver/", ".luarocks/", "lua_modules/" }

-- The driver layer must stay in the subset LuaJIT runs (OpenResty reuses it).
files["lua/arango/"] = { std = "luajit" }
files["spec/"] = { std = "+busted" }
files["lua/arango/errno.lua"] = { max_line_length = false }
files["devserver/errors_data.lua"] = { max_line_length = false }
color = false  -- plain output in CI logs and hooks
