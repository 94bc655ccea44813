-- Judges on tablets, for wrk: one thread and one connection per judge (wrk -tN -cN).
--
-- Each judge works through its entrants as the tablet does: load the sheet, save every
-- criterion (one POST each, a fresh Idempotency-Key every time), submit the sheet, take the
-- next entrant. Between two requests a judge pauses `pause` ms on average (0.5–1.5×), and
-- the judges start at random moments within one sheet's time: people do not work in step.
--
--   wrk -t16 -c16 -d15s -s bench/saves.lua http://127.0.0.1:8000 -- judges.lua 250 nonce out
--
-- judges.lua returns a list of {cookie, token, trade, entrants = {...}, criteria = {...}}.
-- Each judge writes one line per answer to out/judge-<n>.txt: kind (load, value, submit),
-- latency in microseconds and HTTP status; wrk's own figures would mix the kinds. done()
-- prints wrk's socket errors as one line "BENCH {json}".

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock, bench_timespec *now);
]]
local clock = ffi.new("bench_timespec")

local function now_us()
  ffi.C.clock_gettime(1, clock) -- CLOCK_MONOTONIC
  return tonumber(clock.tv_sec) * 1e6 + tonumber(clock.tv_nsec) / 1e3
end

local KINDS = { "load", "value", "submit" }
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

function init(args)
  local judges = dofile(args[1])
  pause = tonumber(args[2]) or 250
  nonce = args[3] or tostring(os.time())
  judge = judges[id]
  record = assert(io.open(string.format("%s/judge-%d.txt", args[4] or ".", id), "w"))
  record:setvbuf("line")
  if judge == nil then
    error("no judge for thread " .. id .. ": run as many threads as there are judges")
  end
  math.randomseed(id * 7919)
  shown = 0
  starting = true -- the first request only opens the connection; the judge then waits
  entrant, step = 1, 0 -- step 0: load; 1..n: criteria; n + 1: submit
  headers = {
    ["Cookie"] = judge.cookie,
    ["X-CSRFToken"] = judge.token,
    ["Content-Type"] = "application/json",
    ["User-Agent"] = "contest-bench",
  }
end

function request()
  started = now_us()
  -- One key per request of the judge's work, as the tablet keeps it: if wrk has to send a
  -- request again on a new connection, the server answers the first one's answer.
  headers["Idempotency-Key"] = string.format("b%s-%d-%d-%d", nonce, id, entrant, step)
  if starting then
    kind = -1
    return wrk.format("GET", "/healthz", headers)
  end
  local current = judge.entrants[entrant]
  if current == nil then -- out of sheets: written down, not measured
    kind = 0
    return wrk.format("GET", "/healthz", headers)
  end
  local base = string.format("/api/sheets/%d/%d", judge.trade, current)
  if step == 0 then
    kind = 1
    return wrk.format("GET", base, headers)
  elseif step <= #judge.criteria then
    kind = 2
    local value = math.random(0, 20) / 2
    local body = string.format(
      '{"criterion": "%s", "value": "%s", "base_version": null}', judge.criteria[step], value
    )
    return wrk.format("POST", base .. "/values", headers, body)
  end
  kind = 3
  return wrk.format("POST", base .. "/submit", headers, "{}")
end

function response(status, headers, body)
  local elapsed = now_us() - started
  if kind == -1 then
    starting = false
    -- within one sheet's time, but shorter than the server's keep-alive (5 s)
    first_pause = math.random(0, math.min(pause * (#judge.criteria + 2), 4000))
    return
  end
  if kind == 0 then
    record:write("idle 0 0\n")
    return
  end
  record:write(string.format("%s %.1f %d\n", KINDS[kind], elapsed, status))
  if status ~= 200 then
    if shown < 3 then
      shown = shown + 1
      io.stderr:write(string.format("judge %d: %s answered %d: %s\n", id, KINDS[kind], status,
        string.sub(body or "", 1, 300)))
    end
  end
  step = step + 1
  if step > #judge.criteria + 1 then
    step, entrant = 0, entrant + 1
  end
end

function delay()
  if first_pause then
    local wait = first_pause
    first_pause = nil
    return wait
  end
  return math.floor(pause * (0.5 + math.random()))
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format('BENCH {"socket_errors": %d, "seconds": %.3f}\n',
    errors.connect + errors.read + errors.write + errors.timeout, summary.duration / 1e6))
end
