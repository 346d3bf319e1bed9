-- Paced load: each connection waits DELAY ms (first script argument) between a response and its
-- next request, so the offered rate is about connections * 1000 / (DELAY + latency). Not truly
-- constant-rate (wrk2 is not packaged by Debian), but far below saturation, which is what the
-- latency comparisons need.
dofile(os.getenv("GK_E2E_DIR") .. "/report.lua")

local pause = 1

init = function(args)
  pause = tonumber(args[1]) or 1
end

delay = function()
  return pause
end
