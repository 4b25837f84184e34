-- pipeline.lua: wrk sends <depth> GET requests per write (HTTP/1.1 pipelining).
-- Usage: wrk ... -s bench/pipeline.lua <url> -- <depth> [path]
-- depth defaults to 16; path defaults to the URL's path.
local req

init = function(args)
  local depth = tonumber(args[1]) or 16
  local path = args[2] -- nil: wrk.format uses the URL's path
  local r = {}
  for i = 1, depth do
    r[i] = wrk.format(nil, path)
  end
  req = table.concat(r)
end

request = function()
  return req
end
