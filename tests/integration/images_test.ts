/**
 * The images API against a real engine and registry: list with users, pull with live layer
 * progress over SSE, tag, refusal to remove an image in use, prune dangling (on the second
 * engine: it removes every dangling image), and automatic updates by policy with their
 * notifications.
 */
import assert from "node:assert/strict";
import { docker, setupAndLogin, sleep, startBosun, TEST_IMAGE } from "../_harness.ts";
import { Lab, startRegistry } from "../_registry.ts";
import { readSse } from "../_sse_client.ts";
import { startSecondEngine } from "../_second_engine.ts";

type Image = { id: string; repoTags: string[]; usedBy: string[]; dangling: boolean };

Deno.test("images: pull with layer progress, list with users, tag, refuse removing one in use", async () => {
  await using registry = await startRegistry();
  await using lab = new Lab();
  const tag = `${registry.host}/img-${lab.run}:v1`;
  const id = await lab.push(tag, { label: "app.version=1" });
  await docker("rmi", tag);
  await using bosun = await startBosun();
  const admin = await setupAndLogin(bosun);

  const job = await admin.json<{ id: number }>("POST", "/api/images/pull", { reference: tag });
  assert.equal(job.status, 202, JSON.stringify(job.body));
  const stream = await admin.req("GET", `/api/images/pulls/${job.body.id}/stream`);
  const events = await readSse(
    stream,
    (event, data) => event === "pull" && (data as { status: string }).status !== "running",
    30_000,
  );
  const last = events.at(-1)!.data as { status: string; layers: { status: string }[] };
  assert.equal(last.status, "complete", JSON.stringify(last));
  assert.ok(last.layers.length > 0, "per-layer progress");
  assert.ok(last.layers.every((l) => /complete|exists/i.test(l.status)), JSON.stringify(last));
  assert.equal(JSON.parse(await docker("image", "inspect", tag))[0].Id, id);

  const name = lab.name("user");
  await lab.runContainer(name, [], tag);
  const images = (await admin.json<Image[]>("GET", "/api/images")).body;
  const mine = images.find((i) => i.id === id);
  assert.ok(mine, "listed");
  assert.deepEqual(mine.usedBy, [name]);
  assert.deepEqual(mine.repoTags, [tag]);
  assert.equal(mine.dangling, false);

  const copy = `${registry.host}/img-${lab.run}:copy`;
  const tagged = await admin.json("POST", `/api/images/${encodeURIComponent(id)}/tag`, {
    reference: copy,
  });
  assert.equal(tagged.status, 201, JSON.stringify(tagged.body));
  assert.equal(JSON.parse(await docker("image", "inspect", copy))[0].Id, id);

  const inUse = await admin.json<{ detail: string }>(
    "DELETE",
    `/api/images/${encodeURIComponent(id)}`,
  );
  assert.equal(inUse.status, 409);
  assert.match(inUse.body.detail, new RegExp(name));
  const removedTag = await admin.json(
    "DELETE",
    `/api/images/${encodeURIComponent(copy)}?force=true`,
  );
  assert.equal(removedTag.status, 200);
  assert.equal((removedTag.body as { cli: string }).cli, `docker image rm -f ${copy}`);
  await assert.rejects(docker("image", "inspect", copy));
  assert.ok(JSON.parse(await docker("image", "inspect", tag))[0].Id, "the other tag stays");

  // Hostile input.
  assert.equal(
    (await admin.json("POST", "/api/images/pull", { reference: "UPPER/Case" })).status,
    400,
  );
  assert.equal((await admin.json("POST", "/api/images/pull", { reference: "a b" })).status, 400);
  assert.equal(
    (await admin.json("POST", `/api/images/${encodeURIComponent(id)}/tag`, {
      reference: `x/y@sha256:${"a".repeat(64)}`,
    })).status,
    400,
  );
  assert.equal((await admin.json("DELETE", "/api/images/..%2F..%2Fetc")).status, 400);
  assert.equal((await admin.json("GET", "/api/images/pulls/99999")).status, 404);
  const failed = await admin.json<{ id: number }>("POST", "/api/images/pull", {
    reference: `${registry.host}/does-not-exist-${lab.run}:v1`,
  });
  let state = { status: "running", error: "" };
  for (let i = 0; i < 100 && state.status === "running"; i++) {
    await sleep(100);
    state = (await admin.json<typeof state>("GET", `/api/images/pulls/${failed.body.id}`)).body;
  }
  assert.equal(state.status, "failed");
  assert.match(state.error, /not found|unknown|manifest/i);
});

// Prune removes every dangling image of the engine (other tests' rollback images too), so it
// runs on the second engine.
Deno.test("images: prune dangling needs its confirmation and keeps tagged images", async () => {
  await using engine = await startSecondEngine();
  await using bosun = await startBosun({ dockerHost: engine.host });
  const admin = await setupAndLogin(bosun);
  const on = (...args: string[]) => docker("-H", engine.host, ...args);
  const base = (await on("create", TEST_IMAGE, "true")).trim();
  const dangling = (await on("commit", "-c", "LABEL dangling=yes", base)).trim();
  await on("rm", "-f", base);
  const listed = (await admin.json<Image[]>("GET", "/api/images")).body;
  assert.equal(listed.find((i) => i.id === dangling)?.dangling, true);
  assert.equal((await admin.json("POST", "/api/images/prune", {})).status, 400);
  assert.ok(await on("image", "inspect", dangling), "still there");
  const pruned = await admin.json<{ deleted: string[] }>("POST", "/api/images/prune", {
    confirm: "prune images",
  });
  assert.equal(pruned.status, 200, JSON.stringify(pruned.body));
  assert.ok(pruned.body.deleted.includes(dangling));
  await assert.rejects(on("image", "inspect", dangling));
  assert.ok(await on("image", "inspect", TEST_IMAGE), "tagged images stay");
});

Deno.test("automatic updates: a DEV container updates itself after a check and notifies", async () => {
  const received: { type: string; title: string }[] = [];
  const hook = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    received.push(await req.json());
    return new Response("ok");
  });
  try {
    await using registry = await startRegistry();
    await using lab = new Lab();
    const tag = `${registry.host}/auto-${lab.run}:latest`;
    await lab.push(tag, { label: "app.version=1" });
    const dev = lab.name("dev");
    const prd = lab.name("prd");
    await lab.runContainer(dev, ["-l", "bosun.environment=DEV"], tag);
    await lab.runContainer(prd, ["-l", "bosun.environment=PRD"], tag);
    await using bosun = await startBosun();
    const admin = await setupAndLogin(bosun);
    await admin.json("PATCH", "/api/settings", { updateStabilizeSeconds: 1 });
    const channel = await admin.json("POST", "/api/notifications", {
      name: "hook",
      config: {
        kind: "webhook",
        url: `http://127.0.0.1:${(hook.addr as Deno.NetAddr).port}/hook`,
      },
      events: ["update.available", "update.applied", "update.rolled_back", "update.failed"],
    });
    assert.equal(channel.status, 201, JSON.stringify(channel.body));
    const v2 = await lab.push(tag, { label: "app.version=2" });
    const check = await admin.json<{ states: { container: string; policy: string }[] }>(
      "POST",
      "/api/updates/check",
      { containers: [dev, prd] },
    );
    assert.equal(check.body.states.find((s) => s.container === dev)?.policy, "auto");
    assert.equal(check.body.states.find((s) => s.container === prd)?.policy, "off");
    let rows: { container: string; kind: string; status: string }[] = [];
    for (let i = 0; i < 150; i++) {
      rows = (await admin.json<typeof rows>("GET", `/api/updates/history?container=${dev}`)).body;
      if (rows[0]?.status === "applied") break;
      await sleep(200);
    }
    assert.equal(rows[0]?.kind, "auto", JSON.stringify(rows));
    assert.equal(rows[0]?.status, "applied");
    assert.equal(JSON.parse(await docker("inspect", dev))[0].Image, v2);
    assert.notEqual(JSON.parse(await docker("inspect", prd))[0].Image, v2, "PRD: never automatic");
    const prdHistory = (await admin.json<unknown[]>("GET", `/api/updates/history?container=${prd}`))
      .body;
    assert.deepEqual(prdHistory, []);
    for (let i = 0; i < 50 && !received.some((r) => r.type === "update.applied"); i++) {
      await sleep(100);
    }
    const titles = received.map((r) => `${r.type}: ${r.title}`);
    assert.ok(
      titles.some((t) => t.startsWith("update.available") && t.includes(dev)),
      titles.join(),
    );
    assert.ok(titles.some((t) => t.startsWith("update.applied") && t.includes(dev)), titles.join());
    assert.ok(!titles.some((t) => t.includes(prd)), "PRD (policy off) is not announced");
  } finally {
    await hook.shutdown();
  }
});
