-- wrk script: at the end, print one JSON line with latency percentiles (microseconds), requests and errors.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"p50_us": %d, "p95_us": %d, "p99_us": %d, "requests": %d, "duration_us": %d, ' ..
    '"errors": %d, "non_2xx": %d, "bytes": %d}\n',
    latency:percentile(50), latency:percentile(95), latency:percentile(99), summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout, e.status, summary.bytes))
end
