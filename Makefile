# lua-arango build. `make` builds the C modules into build/, `make test` runs the suite.
# The C sources are picked up by wildcard: src/core/*.c make arango.core, src/json/*.c arango.json.

LUA        ?= lua5.4
LUA_INC    ?= /usr/include/lua5.4
LLHTTP_SRC ?= /usr/share/llhttp
LLHTTP_INC ?= /usr/share/include/llhttp
LUV_LIB    ?= -l:liblua5.4-luv.so.0
CC         ?= cc
OPT        ?= -O2 -g
BUILD      ?= build
BUSTED     ?= busted --lua=$(LUA)

WARN    = -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wstrict-prototypes \
          -Wmissing-prototypes -Wformat=2 -Wno-unused-parameter
CFLAGS_ALL = $(OPT) -std=c99 -D_POSIX_C_SOURCE=200809L -fPIC -fvisibility=hidden \
          -I$(LUA_INC) -I$(LLHTTP_INC) -Isrc $(CFLAGS)
LDFLAGS_ALL = -shared $(LDFLAGS)

CORE_SRC = $(wildcard src/core/*.c)
JSON_SRC = $(wildcard src/json/*.c)
CORE_OBJ = $(CORE_SRC:src/%.c=$(BUILD)/obj/%.o)
JSON_OBJ = $(JSON_SRC:src/%.c=$(BUILD)/obj/%.o)
LLHTTP_OBJ = $(addprefix $(BUILD)/obj/llhttp/,llhttp.o api.o http.o)

CORE_SO = $(BUILD)/arango/core.so
JSON_SO = $(BUILD)/arango/json.so

# Paths for running from the checkout (specs, examples, benches, devserver).
export LUA_PATH  := $(CURDIR)/lua/?.lua;$(CURDIR)/lua/?/init.lua;$(CURDIR)/?.lua;;
export LUA_CPATH := $(CURDIR)/$(BUILD)/?.so;;

.PHONY: all deps test check demo bench lint doc clean errno fuzz install

all: $(CORE_SO) $(JSON_SO)

deps:
	@bash scripts/deps.sh

$(BUILD)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(WARN) -MMD -c $< -o $@

# llhttp comes from Debian's node-llhttp; it is compiled, never copied, and not held to our warnings.
$(BUILD)/obj/llhttp/%.o: $(LLHTTP_SRC)/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -w -c $< -o $@

$(CORE_SO): $(CORE_OBJ) $(LLHTTP_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ -luv $(LUV_LIB) -lssl -lcrypto -lz

$(JSON_SO): $(JSON_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^

-include $(CORE_OBJ:.o=.d) $(JSON_OBJ:.o=.d)

test: deps all
	@bash scripts/test.sh

lint:
	luacheck -q .

# Sanitizer build: the same modules with ASan+UBSan, then the C-facing specs under them.
check: deps
	@bash scripts/deps.sh check
	@bash scripts/check.sh

demo: deps all
	@bash scripts/demo.sh

bench: deps all
	@bash scripts/deps.sh bench
	@for b in bench/*.lua; do echo "== $$b"; $(LUA) $$b || exit 1; done

doc:
	ldoc .

# Regenerates lua/arango/errno.lua and devserver/errors_data.lua from ../shared/arangodb/errors.json.
errno: all
	$(LUA) tools/gen_errno.lua ../shared/arangodb/errors.json

fuzz: deps
	@bash scripts/deps.sh check
	@bash scripts/fuzz.sh

# `luarocks make` passes the rock's directories; by hand: make install PREFIX=/usr/local
PREFIX     ?= /usr/local
INST_LIBDIR ?= $(PREFIX)/lib/lua/5.4
INST_LUADIR ?= $(PREFIX)/share/lua/5.4
INST_BINDIR ?= $(PREFIX)/bin

install: all
	install -d $(INST_LIBDIR)/arango $(INST_LUADIR)/arango/devserver $(INST_BINDIR)
	install -m 644 $(CORE_SO) $(JSON_SO) $(INST_LIBDIR)/arango/
	cd lua && find arango -path arango/devserver -prune -o -name '*.lua' -print | \
	  while read -r f; do install -D -m 644 "$$f" "$(INST_LUADIR)/$$f"; done
	cd devserver && find . -name '*.lua' | \
	  while read -r f; do install -D -m 644 "$$f" "$(INST_LUADIR)/arango/devserver/$$f"; done
	install -m 755 bin/arango-devserver $(INST_BINDIR)/

clean:
	rm -rf $(BUILD)
