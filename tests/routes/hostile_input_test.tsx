/** Hostile requests against the in-process app: traversal, oversized bodies, injection. */
import assert from "node:assert/strict";
import { renderToString } from "preact-render-to-string";
import { Island } from "../../routes/pages/_island.tsx";
import { buildTestApp } from "../_app.ts";

Deno.test("static files stay inside static/", async () => {
  using ctx = buildTestApp();
  const ok = await ctx.request("/static/style.css");
  assert.equal(ok.status, 200);
  assert.match(ok.headers.get("Content-Type") ?? "", /text\/css/);
  await ok.body?.cancel();
  for (
    const path of [
      "/static/../deno.json",
      "/static/..%2fdeno.json",
      "/static/%2e%2e/%2e%2e/etc/passwd",
      "/static/islands/../../main.ts",
      "/static//etc/passwd",
      "/static/style.css%00.js",
      "/static/.hidden.css",
    ]
  ) {
    const res = await ctx.request(path);
    const text = await res.text();
    assert.ok(res.status === 404 || res.status === 401, `${path} → ${res.status}`);
    assert.ok(!text.includes("compilerOptions") && !text.includes("root:"), path);
  }
});

Deno.test("bodies over 1 MiB are refused with 413 before they are read", async () => {
  using ctx = buildTestApp();
  const big = JSON.stringify({ password: "x".repeat(2 * 1024 * 1024) });
  const res = await ctx.request("/api/auth/login", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: big,
  });
  assert.equal(res.status, 413);
  assert.equal(res.headers.get("Content-Type"), "application/problem+json");
  await res.body?.cancel();
});

Deno.test("island props cannot break out of their script element", () => {
  const evil = "</script><script>alert(1)</script><!--";
  const html = renderToString(
    Island({ name: "X", component: (p: { s: string }) => <b>{p.s}</b>, props: { s: evil } }),
  );
  assert.ok(!html.includes("</script><script>"), html);
  assert.ok(html.includes("&lt;/script>") || html.includes("&lt;/script&gt;"), "escaped in HTML");
  const json = /<script type="application\/json"[^>]*>(.*?)<\/script>/.exec(html)![1];
  assert.deepEqual(JSON.parse(json), { s: evil });
});

Deno.test("malformed JSON, wrong types and unknown fields are 400 problems", async () => {
  using ctx = buildTestApp();
  for (
    const body of ['{"password":', '{"password": 5}', '{"password":"x","admin":true}', "[]", "null"]
  ) {
    const res = await ctx.request("/api/auth/login", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body,
    });
    const problem = await res.json() as { status: number; type: string; requestId: string };
    assert.equal(res.status, 400, body);
    assert.equal(problem.status, 400);
    assert.match(problem.type, /validation/);
    assert.ok(problem.requestId, "problems carry the request id");
  }
});
