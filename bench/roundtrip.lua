-- Round-trip benchmark of arango.core against nginx (a fixed small JSON), compared with wrk
-- against the very same responder in the same run. Prints figures and ratios; asserts nothing.
--   lua5.4 bench/roundtrip.lua            (from the checkout; `make bench` sets the paths)
local uv = require "luv"
local core = require "arango.core"

local SEQ_N = tonumber(os.getenv("SEQ_N") or "") or 20000
local PAR_N = tonumber(os.getenv("PAR_N") or "") or 50000
local BODY = '{"server":"arango","version":"3.12.0","license":"community"}'

local function sh(cmd)
  local p = assert(io.popen(cmd .. " 2>&1"))
  local out = p:read("a")
  p:close()
  return out
end

local function which(name)
  for _, dir in ipairs{ "/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/bin", "/usr/local/sbin" } do
    local f = io.open(dir .. "/" .. name)
    if f then
      f:close()
      return dir .. "/" .. name
    end
  end
end

local function free_port()
  local s = uv.new_tcp()
  assert(s:bind("127.0.0.1", 0))
  local port = s:getsockname().port
  s:close()
  return port
end

local function start_nginx()
  local nginx = assert(which("nginx"), "nginx not installed (make deps EXTRA=1)")
  local dir = sh("mktemp -d"):gsub("%s+$", "")
  local port = free_port()
  local conf = dir .. "/nginx.conf"
  local f = assert(io.open(conf, "w"))
  local text = ([[
daemon off;
worker_processes 1;
pid DIR/nginx.pid;
error_log DIR/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path DIR/client_body;
  proxy_temp_path DIR/proxy;
  fastcgi_temp_path DIR/fastcgi;
  uwsgi_temp_path DIR/uwsgi;
  scgi_temp_path DIR/scgi;
  keepalive_requests 100000000;
  keepalive_timeout 300s;
  server {
    listen 127.0.0.1:PORT;
    location / {
      default_type application/json;
      return 200 'BODY';
    }
  }
}
]]):gsub("DIR", dir):gsub("PORT", tostring(port)):gsub("BODY", BODY)
  f:write(text)
  f:close()
  local handle = uv.spawn(nginx, { args = { "-p", dir, "-c", conf, "-e", dir .. "/error.log" },
                                   stdio = { nil, nil, 2 } }, function() end)
  assert(handle, "cannot start nginx")
  local url = "http://127.0.0.1:" .. port
  local probe = core.http{}
  for _ = 1, 200 do
    local res = probe:request{ url = url, path = "/", timeout = 1 }
    if res and res.status == 200 then break end
    local t = uv.new_timer()
    t:start(20, 0, function() t:close() end)
    uv.run("once")
  end
  probe:close()
  return { url = url, port = port, dir = dir, handle = handle }
end

local function stop_nginx(n)
  n.handle:kill("sigterm")
  n.handle:close()
  uv.run("nowait")
  sh("sleep 0.3; rm -rf '" .. n.dir .. "'")
end

local function run_coroutines(count, fn)
  local left = count
  for i = 1, count do
    coroutine.wrap(function()
      fn(i)
      left = left - 1
    end)()
  end
  while left > 0 do uv.run("once") end
end

local function sequential(url, blocking)
  local http = core.http{ max_connections = 1 }
  local req = { url = url, path = "/_api/version" }
  assert(http:request(req).status == 200) -- connect outside the timing
  local t0 = uv.hrtime()
  if blocking then
    for _ = 1, SEQ_N do assert(http:request(req).body == BODY) end
  else
    run_coroutines(1, function()
      for _ = 1, SEQ_N do assert(http:request(req).body == BODY) end
    end)
  end
  local secs = (uv.hrtime() - t0) / 1e9
  http:close()
  return SEQ_N / secs, secs / SEQ_N * 1e6
end

local function parallel(url)
  local http = core.http{ max_connections = 8 }
  local req = { url = url, path = "/_api/version" }
  run_coroutines(8, function() assert(http:request(req).status == 200) end) -- warm 8 sockets
  local per = PAR_N // 64
  local t0 = uv.hrtime()
  run_coroutines(64, function()
    for _ = 1, per do assert(http:request(req).body == BODY) end
  end)
  local secs = (uv.hrtime() - t0) / 1e9
  http:close()
  return per * 64 / secs
end

local function wrk(url, conns)
  local bin = which("wrk")
  if not bin then return nil, "wrk not installed" end
  local out = sh(bin .. " -t1 -c" .. conns .. " -d3s " .. url .. "/_api/version")
  local rps = tonumber(out:match("Requests/sec:%s*([%d%.]+)"))
  if not rps then return nil, out end
  return rps
end

local n = start_nginx()
local ok, err = pcall(function()
  print(("arango.core round trip against nginx at %s (body %d bytes)"):format(n.url, #BODY))
  local seq_rps, seq_us = sequential(n.url, false)
  local blk_rps, blk_us = sequential(n.url, true)
  local par_rps = parallel(n.url)
  local wrk1, e1 = wrk(n.url, 1)
  local wrk8, e8 = wrk(n.url, 8)
  print(("  sequential, one coroutine : %9.0f req/s  %7.1f us/request"):format(seq_rps, seq_us))
  print(("  sequential, blocking      : %9.0f req/s  %7.1f us/request"):format(blk_rps, blk_us))
  print(("  64 coroutines, 8 conns    : %9.0f req/s  %7.1f us/request"):format(par_rps, 1e6 / par_rps))
  print(("  wrk -t1 -c1 -d3s          : %s"):format(wrk1 and ("%9.0f req/s"):format(wrk1) or e1))
  print(("  wrk -t1 -c8 -d3s          : %s"):format(wrk8 and ("%9.0f req/s"):format(wrk8) or e8))
  if wrk1 then
    print(("  ratio sequential / wrk -c1 : %.2f (target >= 0.90)"):format(seq_rps / wrk1))
  end
  if wrk8 then
    print(("  ratio 64co-8conn / wrk -c8 : %.2f (target >= 0.60)"):format(par_rps / wrk8))
  end
end)
stop_nginx(n)
if not ok then error(err, 0) end
