-- wrk reporter: latency percentiles in milliseconds and request counts, one `key=value` a line.
done = function(summary, latency, requests)
  io.write(string.format("p50=%.2f\n", latency:percentile(50) / 1000))
  io.write(string.format("p95=%.2f\n", latency:percentile(95) / 1000))
  io.write(string.format("p99=%.2f\n", latency:percentile(99) / 1000))
  io.write(string.format("requests=%d\n", summary.requests))
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout
  io.write(string.format("errors=%d\n", errors))
  io.write(string.format("non2xx=%d\n", summary.errors.status))
  io.write(string.format("rps=%.2f\n", summary.requests / (summary.duration / 1000000)))
end
