-- Loaded by busted (see .busted) before any spec file. busted unloads what each file required
-- once the file is done; luv cannot survive that: its loop lives in its module table, so the
-- loop is freed while luv's context still points at it, and the next file that requires luv
-- runs on freed memory. Loading luv (and arango.core, which uses its loop) here, outside the
-- per-file insulation, keeps one loop for the whole run.
require "luv"
require "arango.core"
