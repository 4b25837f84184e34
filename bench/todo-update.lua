-- PATCH one of the 100 seeded todos (ids 1..100), toggling done, without If-Match.
local counter = 0
request = function()
  counter = counter + 1
  local id = (counter % 100) + 1
  local body = (counter % 2 == 0) and '{"done":true}' or '{"done":false}'
  return wrk.format("PATCH", "/api/todos/" .. id, { ["Content-Type"] = "application/json" }, body)
end
