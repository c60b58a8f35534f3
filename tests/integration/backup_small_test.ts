/** Small backup round trips that run fast: forced restore, gzip, several volumes. */
import assert from "node:assert/strict";
import {
  docker,
  removeContainers,
  setupAndLogin,
  startBosun,
  TestContainers,
} from "../_harness.ts";

Deno.test("restore works for every volume of a multi-volume gzip backup, forced or verified", async () => {
  await using bosun = await startBosun();
  await using containers = new TestContainers();
  const admin = await setupAndLogin(bosun);
  const run = containers.runId;
  const vols = [`bt-${run}-a`, `bt-${run}-b`];
  const id = await containers.create("multi", {
    args: ["-v", `${vols[0]}:/a`, "-v", `${vols[1]}:/b`, "-v", "/anon"],
  });
  await docker("exec", id, "sh", "-c", "echo A > /a/f && echo B > /b/f && echo C > /anon/f");
  const created: string[] = [...vols];
  try {
    const backup = await admin.json<{ status: string; file: string }>(
      "POST",
      "/api/backups?wait=true",
      {
        container: id,
        compression: "gzip",
      },
    );
    assert.equal(backup.body.status, "complete");
    for (const force of [true, false]) {
      const name = `bt-${run}-copy-${force}`;
      const r = await admin.json<{ id: string; volumes: { to: string }[] }>(
        "POST",
        `/api/backups/${backup.body.file}/restore`,
        { name, force },
      );
      assert.equal(r.status, 200, JSON.stringify(r.body));
      created.push(...r.body.volumes.map((v) => v.to));
      assert.equal(r.body.volumes.length, 3);
      const out = await docker("exec", r.body.id, "sh", "-c", "cat /a/f /b/f /anon/f");
      assert.equal(out.trim(), "A\nB\nC");
      await docker("rm", "-f", r.body.id);
    }
    const clash = await admin.json<{ detail: string }>(
      "POST",
      `/api/backups/${backup.body.file}/restore`,
      { name: `bt-${run}-multi` },
    );
    assert.equal(clash.status, 409, "the original name is taken");
    assert.match(clash.body.detail, /already exists/);
  } finally {
    await removeContainers(id);
    for (const v of created) await docker("volume", "rm", "-f", v).catch(() => {});
  }
});
