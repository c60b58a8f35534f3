import assert from "node:assert/strict";
import { hostAllowList, hostName } from "./_middleware.ts";
import { matchesRoute, PUBLIC_ROUTES } from "./_public.ts";

Deno.test("hostName() strips ports and brackets and lowercases", () => {
  assert.equal(hostName("Bosun.LAN:8420"), "bosun.lan");
  assert.equal(hostName("[::1]:8420"), "::1");
  assert.equal(hostName("192.168.1.5"), "192.168.1.5");
  assert.equal(hostName(""), "");
});

Deno.test("hostAllowList() accepts IPs, localhost and named hosts only", () => {
  const allowed = hostAllowList(["nas", "bosun.example.org"]);
  for (
    const ok of [
      "127.0.0.1",
      "::1",
      "10.1.2.3",
      "localhost",
      "app.localhost",
      "nas",
      "bosun.example.org",
    ]
  ) {
    assert.equal(allowed(ok), true, ok);
  }
  for (
    const bad of [
      "evil.example",
      "nas.evil.example",
      "bosun.example.org.evil",
      "localhost.evil",
      "",
    ]
  ) {
    assert.equal(allowed(bad), false, bad);
  }
});

Deno.test("matchesRoute() matches exact paths and prefixes, HEAD as GET", () => {
  assert.equal(matchesRoute(PUBLIC_ROUTES, "GET", "/healthz"), true);
  assert.equal(matchesRoute(PUBLIC_ROUTES, "HEAD", "/healthz"), true);
  assert.equal(matchesRoute(PUBLIC_ROUTES, "POST", "/healthz"), false);
  assert.equal(matchesRoute(PUBLIC_ROUTES, "GET", "/static/islands/boot.js"), true);
  assert.equal(matchesRoute(PUBLIC_ROUTES, "GET", "/staticx"), false);
  assert.equal(matchesRoute(PUBLIC_ROUTES, "GET", "/api/auth/login"), false);
  assert.equal(matchesRoute(PUBLIC_ROUTES, "GET", "/healthz/x"), false);
});

Deno.test("matchesRoute() matches a {param} segment as exactly one non-empty segment", () => {
  const routes = [{ method: "POST", path: "/api/volumes/{name}/upload" }];
  assert.equal(matchesRoute(routes, "POST", "/api/volumes/data/upload"), true);
  assert.equal(matchesRoute(routes, "POST", "/api/volumes//upload"), false);
  assert.equal(matchesRoute(routes, "POST", "/api/volumes/a/b/upload"), false);
  assert.equal(matchesRoute(routes, "POST", "/api/volumes/data/upload/x"), false);
  assert.equal(matchesRoute(routes, "GET", "/api/volumes/data/upload"), false);
});
