/** Volumes over the API against the real engine: list with users, create, refused removal, bulk, prune. */
import assert from "node:assert/strict";
import { docker, setupAndLogin, startBosun, TestContainers } from "../_harness.ts";
import { startSecondEngine } from "../_second_engine.ts";

type Volume = {
  name: string;
  usedBy: { name: string; state: string }[];
  size: number | null;
  labels: Record<string, string>;
};

Deno.test("volumes: list with users and sizes, create, removal refused while used, bulk", async () => {
  await using bosun = await startBosun();
  await using containers = new TestContainers();
  const admin = await setupAndLogin(bosun);
  const run = containers.runId;
  const used = `bt-${run}-used`;
  const free = `bt-${run}-free`;
  try {
    const bad = await admin.json("POST", "/api/volumes", { name: "../etc" });
    assert.equal(bad.status, 400);
    const created = await admin.json("POST", "/api/volumes", { name: free, labels: { tier: "x" } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    await containers.create("user", { args: ["-v", `${used}:/data`], start: false });
    await docker(
      "run",
      "--rm",
      "-v",
      `${used}:/data`,
      "bosun-test/busybox:latest",
      "sh",
      "-c",
      "head -c 100000 /dev/zero > /data/z",
    );
    const list = await admin.json<Volume[]>("GET", "/api/volumes?sizes=true");
    const u = list.body.find((v) => v.name === used)!;
    assert.deepEqual(
      u.usedBy,
      [{ name: `bt-${run}-user`, state: "created" }],
      "stopped users count",
    );
    assert.ok((u.size ?? 0) >= 100000, String(u.size));
    assert.deepEqual(list.body.find((v) => v.name === free)!.labels, { tier: "x" });

    const refused = await admin.json<{ detail: string }>("DELETE", `/api/volumes/${used}`);
    assert.equal(refused.status, 409);
    assert.match(refused.body.detail, new RegExp(`in use by "bt-${run}-user"`));
    const bulk = await admin.json<{ name: string; ok: boolean }[]>(
      "POST",
      "/api/volumes/bulk-remove",
      {
        names: [used, free],
      },
    );
    assert.deepEqual(bulk.body.map((b) => [b.name, b.ok]), [[used, false], [free, true]]);
    assert.equal((await admin.json("DELETE", `/api/volumes/${free}`)).status, 404);

    const audit = await admin.json<{ action: string }[]>("GET", "/api/audit?action=volume.");
    for (const a of ["volume.create", "volume.remove"]) {
      assert.ok(audit.body.some((r) => r.action === a), a);
    }
  } finally {
    for (const v of [used, free]) {
      await docker("volume", "rm", "-f", v).catch(() => {});
    }
  }
});

// Prune removes every unused volume on the engine: on the shared engine it would take other
// tests' volumes with it, so it runs on the second engine.
Deno.test("volume prune needs its typed confirmation and removes unused named volumes", async () => {
  await using engine = await startSecondEngine();
  await using bosun = await startBosun({ dockerHost: engine.host });
  const admin = await setupAndLogin(bosun);
  const on = (...args: string[]) => docker("-H", engine.host, ...args);
  const orphan = `bt-orphan-${crypto.randomUUID().slice(0, 6)}`;
  const kept = `bt-kept-${crypto.randomUUID().slice(0, 6)}`;
  await on("volume", "create", orphan);
  const c = (await on("create", "-v", `${kept}:/data`, "bosun-test/busybox:latest", "true")).trim();
  try {
    const unconfirmed = await admin.json("POST", "/api/volumes/prune", { confirm: "yes" });
    assert.equal(unconfirmed.status, 400);
    assert.match(await on("volume", "ls", "-q"), new RegExp(orphan));
    const pruned = await admin.json<{ deleted: string[] }>("POST", "/api/volumes/prune", {
      confirm: "prune volumes",
    });
    assert.equal(pruned.status, 200, JSON.stringify(pruned.body));
    assert.ok(pruned.body.deleted.includes(orphan), "an unused named volume is pruned");
    assert.ok(!pruned.body.deleted.includes(kept), "a volume a stopped container uses stays");
    const audit = await admin.json<{ action: string }[]>("GET", "/api/audit?action=volume.prune");
    assert.equal(audit.body.length, 1);
  } finally {
    await on("rm", "-f", c).catch(() => {});
    await on("volume", "rm", "-f", kept, orphan).catch(() => {});
  }
});
