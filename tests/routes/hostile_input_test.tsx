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

Deno.test("container and backup routes refuse malformed references before the engine", async (t) => {
  using ctx = buildTestApp("unix:///nonexistent/bosun-no-engine.sock");
  await ctx.auth.setup("Correct-Horse-42!");
  const { token } = await ctx.auth.createToken("t");
  const call = (method: string, path: string) =>
    ctx.request(path, {
      method,
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: method === "GET" || method === "DELETE" ? undefined : "{}",
    });
  const bad = encodeURIComponent("<img src=x>");
  for (
    const [method, path] of [
      ["GET", `/api/containers/${bad}`],
      ["GET", `/api/containers/${bad}/inspect`],
      ["GET", `/api/containers/${bad}/logs`],
      ["GET", `/api/containers/${bad}/logs/stream`],
      ["GET", `/api/containers/${bad}/logs/download`],
      ["GET", `/api/containers/${bad}/stats`],
      ["GET", `/api/containers/${bad}/stats/stream`],
      ["GET", `/api/containers/${bad}/top`],
      ["POST", `/api/containers/${bad}/start`],
      ["POST", `/api/containers/${bad}/recreate`],
      ["POST", `/api/containers/${bad}/rename`],
      ["DELETE", `/api/containers/${bad}`],
      ["POST", `/api/backups/${encodeURIComponent("../bosun.db")}/verify`],
      ["POST", `/api/backups/${encodeURIComponent("x.tar.gz.json")}/restore`],
      ["GET", `/api/backups/${encodeURIComponent("a\nb.tar.gz")}/download`],
      ["DELETE", `/api/backups/${encodeURIComponent("../../etc/passwd")}`],
      ["DELETE", "/api/backups/jobs/abc"],
      ["GET", "/api/events?since=yesterday"],
      ["DELETE", `/api/images/${bad}`],
      ["POST", `/api/images/${bad}/tag`],
      ["GET", "/api/images/pulls/abc"],
      ["POST", "/api/images/prune"],
      ["POST", `/api/updates/containers/${bad}/update`],
      ["POST", `/api/updates/containers/${bad}/redeploy`],
      ["PUT", `/api/updates/policies/${bad}`],
      ["POST", "/api/updates/history/abc/rollback"],
      ["GET", "/api/updates/runs/abc"],
      ["PUT", `/api/updates/registries/${encodeURIComponent("evil.example/../x")}`],
      ["GET", `/api/updates/history?container=${bad}`],
      ["GET", `/api/volumes/${bad}/files`],
      ["GET", `/api/volumes/${bad}/download`],
      ["POST", `/api/volumes/${bad}/upload`],
      ["DELETE", `/api/networks/${bad}`],
      ["POST", `/api/networks/${bad}/connect`],
      ["GET", `/api/networks/${bad}/ipmap`],
      ["GET", "/api/networks/sizing?containers=-1"],
      ["PUT", `/api/stacks/${bad}`],
      ["POST", `/api/stacks/${encodeURIComponent("../etc")}/deploy`],
      ["POST", "/api/stacks/x/explode"],
      ["GET", "/api/stacks/jobs/abc"],
      ["POST", `/api/swarm/services/${bad}/scale`],
      ["DELETE", `/api/swarm/stacks/${bad}`],
      ["GET", `/api/containers/${bad}/cli`],
      ["GET", "/api/containers/x/cli?mode=fancy"],
      ["PUT", `/api/containers/${bad}/config`],
      ["PUT", `/api/containers/${bad}/environment`],
      ["GET", `/api/containers/${bad}/export`],
      ["GET", "/api/containers/x/export?secrets=maybe"],
      ["GET", `/api/containers/${bad}/logs/analysis`],
      ["GET", "/api/exports?environment=PROD"],
      ["GET", `/api/health/${bad}/timeline`],
      ["POST", `/api/stacks/templates/${bad}`],
      ["GET", "/api/containers/name-check"],
    ]
  ) {
    await t.step(`${method} ${decodeURIComponent(path)}`, async () => {
      const res = await call(method, path);
      const problem = await res.json() as { status: number; type: string };
      assert.equal(res.status, 400, JSON.stringify(problem));
      assert.equal(res.headers.get("Content-Type"), "application/problem+json");
      assert.doesNotMatch(problem.type, /docker/, "refused before any engine call");
    });
  }
});
