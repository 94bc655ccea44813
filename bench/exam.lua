-- Examinees sitting the theory exam in their browsers, for wrk: one thread and one
-- connection per examinee (wrk -tN -cN).
--
-- Each examinee signs in as the page does (GET the sign-in page for the session cookie and
-- the CSRF token, POST the admission number and the ID number's last 4), opens the paper,
-- reads the sitting's state (the revisions of the answers already stored), then saves an
-- answer to one of the paper's items every `low`–`high` ms, with a fresh Idempotency-Key and
-- the revision it changes as `base`. The examinees start at random moments within `ramp` ms
-- and send nothing in the run's last `drain` seconds (longer than wrk's timeout), so that
-- every save sent is answered before wrk stops. In "healthz" mode the same connections ask
-- /healthz at the same pace (the baseline).
--
--   wrk -t100 -c100 -d20s -s bench/exam.lua http://127.0.0.1:8080 \
--     -- exam-data.lua exam bench-exam nonce out 2000 2000 6000 18
--
-- exam-data.lua returns {examinees = {{admission, last4}, ...}, items = {{code, responses =
-- {json, ...}}, ...}}. Each examinee writes one line per answer to out/examinee-<n>.txt:
-- kind, start and latency in microseconds, HTTP status, and for a save the item, the
-- revision acknowledged and whether the server answered it as a replay; and a line "sent"
-- before each save, so that a save left unanswered is seen. done() prints wrk's
-- socket errors as one line "BENCH {json}".

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } exam_timespec;
  int clock_gettime(int clock, exam_timespec *now);
]]
local clock = ffi.new("exam_timespec")

local function now_us()
  ffi.C.clock_gettime(1, clock) -- CLOCK_MONOTONIC, shared by every thread
  return tonumber(clock.tv_sec) * 1e6 + tonumber(clock.tv_nsec) / 1e3
end

local EXPECTED = { page = 200, sign_in = 302, paper = 200, state = 200, save = 200, healthz = 200 }
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

function init(args)
  local data = dofile(args[1])
  mode, slug, nonce = args[2], args[3], args[4]
  ramp, low, high = tonumber(args[6]), tonumber(args[7]), tonumber(args[8])
  stop_at = now_us() + tonumber(args[9]) * 1e6 -- the last moment to send
  me = data.examinees[id]
  items = data.items
  if me == nil then
    error("no examinee for thread " .. id .. ": run as many threads as there are examinees")
  end
  record = assert(io.open(string.format("%s/examinee-%d.txt", args[5], id), "w"))
  record:setvbuf("line")
  math.randomseed(id * 7919 + #nonce)
  step, shown, saves = "open", 0, 0
  prefix = "/exam/" .. slug
  revisions = {}
  cookie, token = nil, nil
end

local function headers(extra)
  local found = { ["User-Agent"] = "contest-bench" }
  if cookie then
    found["Cookie"] = cookie
  end
  for name, value in pairs(extra or {}) do
    found[name] = value
  end
  return found
end

function request()
  started = now_us()
  kind = step
  if step == "open" or step == "healthz" then
    return wrk.format("GET", "/healthz", headers())
  elseif step == "page" then
    return wrk.format("GET", prefix .. "/", headers())
  elseif step == "sign_in" then
    local body = string.format("admission=%s&last4=%s&csrf_token=%s", me[1], me[2], token)
    return wrk.format("POST", prefix .. "/", headers({
      ["Content-Type"] = "application/x-www-form-urlencoded",
    }), body)
  elseif step == "paper" then
    return wrk.format("GET", prefix .. "/paper", headers())
  elseif step == "state" then
    return wrk.format("GET", prefix .. "/state", headers())
  end
  saves = saves + 1
  item = items[math.random(#items)]
  record:write(string.format("sent %.0f 0 0 %s\n", started, item.code))
  local responses = item.responses
  local body = string.format('{"item": "%s", "response": %s, "base": %d}', item.code,
    responses[math.random(#responses)], revisions[item.code] or 0)
  return wrk.format("POST", prefix .. "/answers", headers({
    ["Content-Type"] = "application/json",
    ["X-CSRFToken"] = token,
    ["Idempotency-Key"] = string.format("%s-%d-%d", nonce, id, saves),
  }), body)
end

local function complain(status, body)
  if shown < 3 then
    shown = shown + 1
    io.stderr:write(string.format("examinee %d: %s answered %d: %s\n", id, kind, status,
      string.sub(body or "", 1, 300)))
  end
end

function response(status, response_headers, body)
  local elapsed = now_us() - started
  local set = response_headers["Set-Cookie"]
  if set then
    cookie = string.match(set, "^(session=[^;]*)") or cookie
  end
  if kind == "open" then
    step = (mode == "healthz") and "healthz" or "page"
    pause = math.random(0, ramp)
    return
  end
  local ok = status == EXPECTED[kind]
  if kind == "save" then
    local revision = ok and tonumber(string.match(body, '"revision":%s*(%d+)')) or 0
    local replay = response_headers["Idempotent-Replay"] and 1 or 0
    record:write(string.format("save %.0f %.1f %d %s %d %d\n", started, elapsed, status,
      item.code, revision, replay))
    if ok then
      revisions[item.code] = revision
    else
      complain(status, body)
      step = "state" -- as the page does after a refusal: read the stored answers again
    end
    return
  end
  record:write(string.format("%s %.0f %.1f %d\n", kind, started, elapsed, status))
  if not ok then
    complain(status, body)
    step = (kind == "healthz") and "healthz" or "page" -- sign in again
    return
  end
  if kind == "page" then
    token = string.match(body, 'name="csrf_token"[^>]*value="([^"]+)"')
    step = "sign_in"
  elseif kind == "sign_in" then
    step = "paper"
  elseif kind == "paper" then
    step = "state"
  elseif kind == "state" then
    for code, revision in string.gmatch(body, '"([%w_-]+)":%s*{"response":.-"revision":%s*(%d+)}') do
      revisions[code] = tonumber(revision)
    end
    step = "save"
  end
end

function delay()
  local wait = 0
  if pause then
    wait, pause = pause, nil
  elseif kind == "page" then
    wait = math.random(500, 2000) -- typing the admission number and the ID's last 4
  elseif kind == "save" or kind == "healthz" then
    wait = math.random(low, high)
  end -- after the sign-in, the paper and the state: none (redirect, the page's first call)
  if now_us() + wait * 1000 > stop_at then
    return 3600000 -- nothing more is sent before the run ends
  end
  return wait
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format('BENCH {"socket_errors": %d, "seconds": %.3f}\n',
    errors.connect + errors.read + errors.write + errors.timeout, summary.duration / 1e6))
end
