// Node's own fetch (undici) as the client: bodies both ways in every shape the
// Fetch standard offers, HEAD, redirects, cookies and aborts.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { exchange } from "../support/raw.js";
import { deferred, startServer, within, type Deferred, type Server } from "../support/server.js";

const sha256 = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");

describe("Node fetch against sockserve", () => {
  let server: Server;
  let base: string;
  // Hooks the abort tests use to watch the server side.
  let streamCancelled: Deferred<unknown>;
  let requestAborted: Deferred<void>;
  let handlerStarted: Deferred<void>;
  let firstChunkSeen: Deferred<void>;

  before(async () => {
    server = await startServer({
      async fetch(request) {
        const url = new URL(request.url);
        switch (url.pathname) {
          case "/text":
            return new Response("Hello, World!", { headers: { "x-custom": "yes", "content-type": "text/plain; charset=utf-8" } });
          case "/utf8":
            return new Response("héllo ✓");
          case "/json":
            return Response.json(await request.json());
          case "/inspect":
            return Response.json({
              method: request.method,
              search: url.search,
              query: Object.fromEntries(url.searchParams),
              foo: request.headers.get("x-foo"),
              contentType: request.headers.get("content-type"),
            });
          case "/hash": {
            let bytes = 0;
            let chunks = 0;
            const hash = createHash("sha256");
            for await (const chunk of request.body!) {
              bytes += chunk.length;
              chunks++;
              hash.update(chunk);
            }
            return Response.json({ bytes, chunks, sha256: hash.digest("hex"), te: request.headers.get("transfer-encoding") });
          }
          case "/echo-bytes":
            return new Response(new Uint8Array(await request.arrayBuffer()), { headers: { "content-type": "application/octet-stream" } });
          case "/random": {
            const size = Number(url.searchParams.get("size"));
            const data = randomBytes(size);
            return new Response(data, { headers: { "x-sha256": sha256(data) } });
          }
          case "/form": {
            const form = await request.formData();
            const file = form.get("file");
            return Response.json({
              name: form.get("name"),
              tags: form.getAll("tag"),
              fileName: file instanceof Blob ? (file as File).name : null,
              fileType: file instanceof Blob ? file.type : null,
              fileText: file instanceof Blob ? await file.text() : null,
            });
          }
          case "/form-response": {
            const form = new FormData();
            form.append("greeting", "hi");
            form.append("upload", new Blob(["file body"], { type: "text/plain" }), "a.txt");
            return new Response(form);
          }
          case "/blob":
            return new Response(new Blob(["blob ", "parts"], { type: "text/x-custom" }));
          case "/blob-in":
            return new Response(`${(await request.blob()).size}`);
          case "/gated-stream": {
            const encoder = new TextEncoder();
            let step = 0;
            return new Response(
              new ReadableStream<Uint8Array>({
                async pull(controller) {
                  if (step === 0) controller.enqueue(encoder.encode("first|"));
                  else if (step === 1) {
                    // Only continue once the client has seen the first chunk: proves no buffering.
                    await firstChunkSeen.promise;
                    controller.enqueue(encoder.encode("second"));
                  } else controller.close();
                  step++;
                },
              }),
            );
          }
          case "/endless": {
            request.signal.addEventListener("abort", () => requestAborted.resolve());
            return new Response(
              new ReadableStream<Uint8Array>({
                async pull(controller) {
                  await new Promise((r) => setTimeout(r, 5));
                  controller.enqueue(new Uint8Array(1024).fill(0x2e));
                },
                cancel(reason) {
                  streamCancelled.resolve(reason);
                },
              }),
            );
          }
          case "/slow": {
            request.signal.addEventListener("abort", () => requestAborted.resolve());
            handlerStarted.resolve();
            await requestAborted.promise;
            return new Response("too late");
          }
          case "/proxy":
            // A native undici Response straight from fetch(), as proxies and Hono apps return.
            return fetch(new URL("/text", request.url));
          case "/redirect":
            return Response.redirect(new URL("/text", request.url).href, 302);
          case "/cookies": {
            const headers = new Headers();
            headers.append("set-cookie", "a=1; Path=/");
            headers.append("set-cookie", "b=2; HttpOnly");
            return new Response("cookies", { headers });
          }
          default:
            return new Response("not found", { status: 404 });
        }
      },
    });
    base = server.url.href;
  });
  after(async () => {
    await server.stop(true);
  });

  it("GET returns status, headers and text", async () => {
    const res = await fetch(new URL("/text", base));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("x-custom"), "yes");
    assert.equal(res.headers.get("content-type"), "text/plain; charset=utf-8");
    assert.equal(res.headers.get("content-length"), "13");
    assert.equal(await res.text(), "Hello, World!");
  });

  it("a string body's Content-Length counts UTF-8 bytes and it gets a text/plain type", async () => {
    const res = await fetch(new URL("/utf8", base));
    assert.equal(res.headers.get("content-length"), String(Buffer.byteLength("héllo ✓")));
    assert.match(res.headers.get("content-type") ?? "", /^text\/plain;charset=utf-8$/i);
    assert.equal(await res.text(), "héllo ✓");
  });

  it("unknown paths get the handler's 404", async () => {
    const res = await fetch(new URL("/nope", base));
    assert.equal(res.status, 404);
    assert.equal(await res.text(), "not found");
  });

  it("the handler sees method, query and request headers", async () => {
    const res = await fetch(new URL("/inspect?a=1&b=two%20words", base), { method: "PUT", headers: { "X-Foo": "bar" }, body: "x" });
    assert.deepEqual(await res.json(), {
      method: "PUT",
      search: "?a=1&b=two%20words",
      query: { a: "1", b: "two words" },
      foo: "bar",
      contentType: "text/plain;charset=UTF-8",
    });
  });

  it("POST JSON round-trips", async () => {
    const payload = { name: "sockserve", list: [1, 2, 3], nested: { ok: true }, unicode: "ü✓" };
    const res = await fetch(new URL("/json", base), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(payload) });
    assert.equal(res.headers.get("content-type"), "application/json");
    assert.deepEqual(await res.json(), payload);
  });

  it("binary bodies with every byte value round-trip exactly", async () => {
    const data = new Uint8Array(256 * 64);
    for (let i = 0; i < data.length; i++) data[i] = i % 256;
    const res = await fetch(new URL("/echo-bytes", base), { method: "POST", body: data });
    assert.deepEqual(new Uint8Array(await res.arrayBuffer()), data);
  });

  it("a streamed upload (chunked) is read as a stream by the handler", async () => {
    const parts = Array.from({ length: 20 }, (_, i) => randomBytes(1000 + i * 37));
    const expected = sha256(Buffer.concat(parts));
    let i = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (i < parts.length) {
          await new Promise((r) => setTimeout(r, 2));
          controller.enqueue(parts[i++]);
        } else controller.close();
      },
    });
    const res = await fetch(new URL("/hash", base), { method: "POST", body, duplex: "half" });
    const result = (await res.json()) as { bytes: number; sha256: string; te: string };
    assert.equal(result.bytes, parts.reduce((n, p) => n + p.length, 0));
    assert.equal(result.sha256, expected);
    assert.equal(result.te, "chunked");
  });

  it("a 5 MB upload and a 5 MB download are byte-exact", async () => {
    const data = randomBytes(5 * 1024 * 1024);
    const up = await fetch(new URL("/hash", base), { method: "POST", body: data });
    const result = (await up.json()) as { bytes: number; sha256: string };
    assert.equal(result.bytes, data.length);
    assert.equal(result.sha256, sha256(data));

    const down = await fetch(new URL(`/random?size=${5 * 1024 * 1024}`, base));
    const received = new Uint8Array(await down.arrayBuffer());
    assert.equal(received.length, 5 * 1024 * 1024);
    assert.equal(sha256(received), down.headers.get("x-sha256"));
  });

  it("a streamed response reaches the client chunk by chunk", async () => {
    firstChunkSeen = deferred();
    const res = await fetch(new URL("/gated-stream", base));
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    const first = await within(reader.read(), 3000, "first chunk before the stream finished");
    assert.equal(decoder.decode(first.value), "first|");
    firstChunkSeen.resolve();
    let rest = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      rest += decoder.decode(value, { stream: true });
    }
    assert.equal(rest, "second");
  });

  it("multipart FormData with a file reaches request.formData()", async () => {
    const form = new FormData();
    form.append("name", "Ada");
    form.append("tag", "x");
    form.append("tag", "y");
    form.append("file", new Blob(["file contents ✓"], { type: "text/markdown" }), "notes.md");
    const res = await fetch(new URL("/form", base), { method: "POST", body: form });
    assert.deepEqual(await res.json(), { name: "Ada", tags: ["x", "y"], fileName: "notes.md", fileType: "text/markdown", fileText: "file contents ✓" });
  });

  it("urlencoded forms reach request.formData()", async () => {
    const res = await fetch(new URL("/form", base), { method: "POST", body: new URLSearchParams({ name: "Grace Hopper", tag: "z" }) });
    assert.deepEqual(await res.json(), { name: "Grace Hopper", tags: ["z"], fileName: null, fileType: null, fileText: null });
  });

  it("a FormData response parses on the client", async () => {
    const res = await fetch(new URL("/form-response", base));
    assert.match(res.headers.get("content-type") ?? "", /^multipart\/form-data; boundary=/);
    const form = await res.formData();
    assert.equal(form.get("greeting"), "hi");
    const upload = form.get("upload") as File;
    assert.equal(upload.name, "a.txt");
    assert.equal(await upload.text(), "file body");
  });

  it("Blob bodies both ways keep type and size", async () => {
    const res = await fetch(new URL("/blob", base));
    assert.equal(res.headers.get("content-type"), "text/x-custom");
    assert.equal(res.headers.get("content-length"), "10");
    assert.equal(await res.text(), "blob parts");
    const res2 = await fetch(new URL("/blob-in", base), { method: "POST", body: new Blob([new Uint8Array(777)]) });
    assert.equal(await res2.text(), "777");
  });

  it("HEAD gets headers and an empty body", async () => {
    const res = await fetch(new URL("/text", base), { method: "HEAD" });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-length"), "13");
    assert.equal(await res.text(), "");
  });

  it("a native Response from fetch() can be returned as is, with its headers once", async () => {
    const res = await fetch(new URL("/proxy", base));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("x-custom"), "yes");
    assert.equal(await res.text(), "Hello, World!");
    const raw = await exchange(server.port, `GET /proxy HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`, { responses: 1 });
    const [response] = raw.responses;
    assert.equal(response.text, "Hello, World!");
    assert.ok(response.getAll("content-length").length <= 1, `one Content-Length: ${raw.text}`);
    assert.equal(response.getAll("date").length, 1, `one Date: ${raw.text}`);
    assert.ok(!(response.has("content-length") && response.has("transfer-encoding")), "never both framings");
  });

  it("redirects are followed, or shown with redirect: manual", async () => {
    const manual = await fetch(new URL("/redirect", base), { redirect: "manual" });
    assert.equal(manual.status, 302);
    assert.equal(manual.headers.get("location"), new URL("/text", base).href);
    const followed = await fetch(new URL("/redirect", base));
    assert.equal(await followed.text(), "Hello, World!");
  });

  it("each Set-Cookie is its own field line", async () => {
    const res = await fetch(new URL("/cookies", base));
    assert.deepEqual(res.headers.getSetCookie(), ["a=1; Path=/", "b=2; HttpOnly"]);
  });

  it("50 concurrent requests all get their own answer", async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const res = await fetch(new URL(`/json`, base), { method: "POST", body: JSON.stringify({ i }) });
        return ((await res.json()) as { i: number }).i;
      }),
    );
    assert.deepEqual(results, Array.from({ length: 50 }, (_, i) => i));
  });

  it("aborting mid-response cancels the response stream and aborts request.signal", async () => {
    streamCancelled = deferred();
    requestAborted = deferred();
    const controller = new AbortController();
    const res = await fetch(new URL("/endless", base), { signal: controller.signal });
    const reader = res.body!.getReader();
    const first = await reader.read();
    assert.ok(first.value && first.value.length > 0);
    controller.abort();
    await within(streamCancelled.promise, 5000, "ReadableStream cancel() after the client went away");
    await within(requestAborted.promise, 5000, "request.signal abort after the client went away");
  });

  it("aborting before the response aborts request.signal and the server goes on", async () => {
    requestAborted = deferred();
    handlerStarted = deferred();
    const controller = new AbortController();
    const pending = fetch(new URL("/slow", base), { signal: controller.signal });
    await within(handlerStarted.promise, 3000, "handler start");
    controller.abort();
    await assert.rejects(pending, { name: "AbortError" });
    await within(requestAborted.promise, 5000, "request.signal abort");
    const res = await fetch(new URL("/text", base));
    assert.equal(await res.text(), "Hello, World!");
  });
});
