-- wrk script: POST pre-signed Twilio voice webhooks, each call sent once.
--
--   wrk -t2 -c64 -d15s -s bench/calls.lua http://127.0.0.1:PORT -- CALLS_FILE THREADS [PATH]
--
-- PATH, when given, replaces each line's path (a peer that serves the webhook elsewhere).
-- CALLS_FILE holds one call a line, "<path>\t<signature>\t<url-encoded body>"
-- (bench/make_requests.py).
-- Thread k of n takes lines k, k+n, k+2n…, so no call is sent twice. A thread that runs out
-- starts its slice again and counts it in "repeated": those requests are then answered from
-- the service's stored receipt, and the run needs a bigger file (bench/run checks this).
-- done() prints one JSON line prefixed "BENCH_JSON " with the figures bench/run reads.

local threads = {}
local counter = 0

function setup(thread)
   thread:set("id", counter)
   table.insert(threads, thread)
   counter = counter + 1
end

function init(args)
   local file = args[1]
   -- Each thread runs in its own Lua state, so it learns the thread count from its args.
   local nthreads = assert(tonumber(args[2]), "second argument: the number of wrk threads")
   local path = args[3]
   calls = {}
   local line_no = 0
   local f = assert(io.open(file, "r"))
   for line in f:lines() do
      if line_no % nthreads == id then
         local tab1 = line:find("\t", 1, true)
         local tab2 = line:find("\t", tab1 + 1, true)
         calls[#calls + 1] = {
            path or line:sub(1, tab1 - 1), line:sub(tab1 + 1, tab2 - 1), line:sub(tab2 + 1)
         }
      end
      line_no = line_no + 1
   end
   f:close()
   assert(#calls > 0, "no calls for thread " .. id .. " in " .. file)
   next_call = 1
   repeated = 0
   headers = {
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["X-Twilio-Signature"] = "",
   }
end

function request()
   if next_call > #calls then
      next_call = 1
   end
   local call = calls[next_call]
   if call.sent then
      repeated = repeated + 1
   end
   call.sent = true
   next_call = next_call + 1
   headers["X-Twilio-Signature"] = call[2]
   return wrk.format("POST", call[1], headers, call[3])
end

function done(summary, latency, requests)
   local repeated_total = 0
   for _, thread in ipairs(threads) do
      repeated_total = repeated_total + (thread:get("repeated") or 0)
   end
   local errors = summary.errors
   local seconds = summary.duration / 1e6
   io.write(string.format(
      'BENCH_JSON {"requests": %d, "seconds": %.3f, "rps": %.1f, ' ..
      '"p50_ms": %.3f, "p90_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f, "mean_ms": %.3f, ' ..
      '"non_2xx": %d, "connect_errors": %d, "read_errors": %d, "write_errors": %d, ' ..
      '"timeouts": %d, "repeated": %d}\n',
      summary.requests, seconds, summary.requests / seconds,
      latency:percentile(50) / 1000, latency:percentile(90) / 1000,
      latency:percentile(99) / 1000, latency.max / 1000, latency.mean / 1000,
      errors.status, errors.connect, errors.read, errors.write, errors.timeout,
      repeated_total))
end
