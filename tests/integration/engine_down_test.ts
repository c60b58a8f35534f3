/** Engine unreachable: Bosun stays up, answers 503 problems, shows a banner and recovers. */
import assert from "node:assert/strict";
import { setupAndLogin, sleep, startBosun } from "../_harness.ts";
import { SocketProxy } from "../_socket_proxy.ts";

Deno.test("engine unreachable → 503 problem and banner; recovery when it returns", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "bosun-proxy-" });
  await using proxy = new SocketProxy(`${dir}/docker.sock`);
  await proxy.open();
  await using bosun = await startBosun({
    dockerHost: proxy.host,
    env: { BOSUN_DOCKER_CHECK_INTERVAL: "300ms", BOSUN_DOCKER_TIMEOUT: "3s" },
  });
  const admin = await setupAndLogin(bosun);

  await t.step("with the engine reachable the list works and no banner shows", async () => {
    assert.equal((await admin.json("GET", "/api/containers")).status, 200);
    const page = await (await admin.req("GET", "/containers")).text();
    assert.ok(!page.includes("data-engine-banner"));
  });

  await proxy.cut();

  await t.step("cut: API calls answer 503 problem+json naming the socket", async () => {
    const r = await admin.json<{ type: string; detail: string; requestId: string }>(
      "GET",
      "/api/containers",
    );
    assert.equal(r.status, 503);
    assert.equal(r.headers.get("Content-Type"), "application/problem+json");
    assert.match(r.body.type, /docker-unavailable/);
    assert.match(r.body.detail, new RegExp(`Cannot connect to the Docker engine at ${proxy.host}`));
    assert.ok(r.body.requestId);
  });

  await t.step("cut: pages still render with the banner; health says docker false", async () => {
    await sleep(700);
    const res = await admin.req("GET", "/");
    const html = await res.text();
    assert.equal(res.status, 200);
    assert.match(html, /Docker engine unreachable at unix:\/\//);
    const health = await admin.json<{ status: string; docker: boolean }>("GET", "/healthz");
    assert.deepEqual([health.status, health.body.status, health.body.docker], [200, "ok", false]);
    const status = await admin.json<{ docker: { reachable: boolean } }>(
      "GET",
      "/api/system/status",
    );
    assert.equal(status.body.docker.reachable, false);
  });

  await proxy.open();

  await t.step("restored: Bosun reconnects by itself", async () => {
    let reachable = false;
    for (let i = 0; i < 30 && !reachable; i++) {
      await sleep(200);
      const h = await admin.json<{ docker: boolean }>("GET", "/healthz");
      reachable = h.body.docker;
    }
    assert.ok(reachable, "engine seen again");
    assert.equal((await admin.json("GET", "/api/containers")).status, 200);
    const html = await (await admin.req("GET", "/containers")).text();
    assert.ok(!html.includes("data-engine-banner"));
  });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("Bosun starts with no engine at all and says where it looked", async () => {
  await using bosun = await startBosun({
    dockerHost: "unix:///tmp/bosun-no-such-engine.sock",
  });
  const admin = await setupAndLogin(bosun);
  const r = await admin.json<{ detail: string }>("GET", "/api/containers");
  assert.equal(r.status, 503);
  assert.match(r.body.detail, /bosun-no-such-engine\.sock/);
});
