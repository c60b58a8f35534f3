/**
 * Walks every route the app registers and asserts that, without credentials, it answers
 * 401 unless it is on the public list — so a route added later without auth fails here.
 */
import assert from "node:assert/strict";
import { matchesRoute, PUBLIC_ROUTES } from "../../routes/_public.ts";
import { buildTestApp } from "../_app.ts";

const SAMPLE_PARAM = "0123456789abcdef";

Deno.test("every registered route needs credentials unless it is public", async (t) => {
  using ctx = buildTestApp();
  const routes = ctx.app.routes.filter((r) => r.method !== "ALL");
  const seen = new Set<string>();
  assert.ok(routes.length >= 20, `only ${routes.length} routes found`);
  for (const route of routes) {
    const path = route.path.replace(/:[A-Za-z]+(\{[^}]*\})?/g, SAMPLE_PARAM).replace(
      /\*$/,
      "style.css",
    );
    const key = `${route.method} ${path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    await t.step(key, async () => {
      const upgradeHeaders: Record<string, string> = path.includes("/exec") || path.includes("/ws")
        ? { Upgrade: "websocket", Connection: "Upgrade" }
        : {};
      const res = await ctx.request(path, {
        method: route.method,
        headers: { "Content-Type": "application/json", ...upgradeHeaders },
        body: route.method === "GET" || route.method === "HEAD" ? undefined : "{}",
      });
      await res.body?.cancel();
      if (matchesRoute(PUBLIC_ROUTES, route.method, path)) {
        assert.notEqual(res.status, 401, `${key} is public`);
      } else {
        assert.equal(res.status, 401, `${key} must require credentials`);
      }
    });
  }
});

Deno.test("the public list names only routes that exist", () => {
  using ctx = buildTestApp();
  for (const pub of PUBLIC_ROUTES) {
    const exists = ctx.app.routes.some((r) =>
      r.method === pub.method &&
      (r.path === pub.path || (pub.path.endsWith("/*") && r.path.startsWith(pub.path.slice(0, -1))))
    );
    assert.ok(exists, `${pub.method} ${pub.path} is not registered`);
  }
});

Deno.test("the OpenAPI document describes every API route", async () => {
  using ctx = buildTestApp();
  const token = await ctx.auth.setup("Correct-Horse-42!").then(() => ctx.auth.createToken("t"));
  const res = await ctx.request("/api/openapi.json", {
    headers: { Authorization: `Bearer ${token.token}` },
  });
  assert.equal(res.status, 200);
  const doc = await res.json() as {
    openapi: string;
    paths: Record<string, Record<string, unknown>>;
  };
  assert.equal(doc.openapi, "3.1.0");
  const apiRoutes = ctx.app.routes.filter((r) =>
    r.method !== "ALL" && r.path.startsWith("/api/") && r.path !== "/api/openapi.json"
  );
  for (const r of apiRoutes) {
    const openapiPath = r.path.replace(/:([A-Za-z]+)/g, "{$1}");
    assert.ok(
      doc.paths[openapiPath]?.[r.method.toLowerCase()],
      `${r.method} ${r.path} undocumented`,
    );
  }
});
