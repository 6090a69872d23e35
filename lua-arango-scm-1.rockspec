rockspec_format = "3.0"
package = "lua-arango"
version = "scm-1"
source = {
  url = "git+file://.",
}
description = {
  summary = "Asynchronous ArangoDB driver for Lua on the luv event loop",
  detailed = [[
An ArangoDB 3.12 driver whose C core speaks HTTP/1.1 on luv's event loop
(coroutines yield while requests are in flight, plain scripts block), with an
exact JSON codec and an ArangoDB-compatible development server for tests.
]],
  license = "MIT",
  labels = { "arangodb", "database", "luv", "async" },
}
-- luv comes from the system (Debian's lua-luv and lua-luv-dev): the C core links the very
-- liblua5.4-luv that `require "luv"` loads, so a second luv from a rock would not do.
dependencies = {
  "lua >= 5.4",
}
external_dependencies = {
  LIBUV = { header = "uv.h" },
  OPENSSL = { header = "openssl/ssl.h" },
  ZLIB = { header = "zlib.h" },
}
build = {
  type = "make",
  build_variables = {
    LUA_INC = "$(LUA_INCDIR)",
    CFLAGS = "$(CFLAGS)",
    LUA = "$(LUA)",
  },
  install_variables = {
    INST_LIBDIR = "$(LIBDIR)",
    INST_LUADIR = "$(LUADIR)",
    INST_BINDIR = "$(BINDIR)",
  },
}
