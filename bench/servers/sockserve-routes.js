// sockserve with 100 routes (exact, :param and * patterns, several methods each), for the
// router benchmark; wrk asks for a :param route near the end of the table.
import { serve } from "../../dist/index.js";

const routes = {};
for (let i = 0; i < 40; i++) routes[`/static/page-${i}`] = { GET: () => new Response(`page ${i}`) };
for (let i = 0; i < 40; i++) {
  routes[`/api/v1/resource-${i}/:id`] = {
    GET: (req) => new Response(`resource ${i} item ${req.params.id}`),
    PATCH: () => new Response(null, { status: 204 }),
    DELETE: () => new Response(null, { status: 204 }),
  };
}
for (let i = 0; i < 19; i++) routes[`/api/v1/resource-${i}/:id/children/:child`] = { GET: (req) => new Response(req.params.child) };
routes["/assets/*"] = (req) => new Response(`asset ${req.params["*"]}`);
const server = await serve({ port: Number(process.env.PORT) || 0, hostname: "127.0.0.1", routes, fetch: () => new Response("Not Found", { status: 404 }) });
console.log(`PORT ${server.port}`);
