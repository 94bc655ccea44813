-- wrk's figures for a plain GET run as one line "BENCH {json}" (latencies in microseconds):
--
--   wrk -t2 -c32 -d15s -s bench/report.lua http://127.0.0.1:8000/healthz

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "seconds": %.3f, "p50": %.1f, "p90": %.1f, "p99": %.1f, '
      .. '"max": %.1f, "mean": %.1f, "status_errors": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration / 1e6,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout
  ))
end
