-- POST a new todo on every request.
wrk.method = "POST"
wrk.body = '{"title":"benchmark todo"}'
wrk.headers["Content-Type"] = "application/json"
