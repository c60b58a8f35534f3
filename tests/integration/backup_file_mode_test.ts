/** Backup files get the mode and owner set in Settings, so another tool on the host can read them. */
import assert from "node:assert/strict";
import { setupAndLogin, startBosun, TestContainers } from "../_harness.ts";

Deno.test("backup files take the configured mode and owner; bad values are refused", async () => {
  await using bosun = await startBosun();
  await using containers = new TestContainers();
  const admin = await setupAndLogin(bosun);
  const id = await containers.create("mode", {});
  const bad = await admin.json("PATCH", "/api/settings", { backupFileMode: "0999" });
  assert.equal(bad.status, 400);
  const badOwner = await admin.json("PATCH", "/api/settings", { backupFileOwner: "root:root" });
  assert.equal(badOwner.status, 400);
  const ok = await admin.json("PATCH", "/api/settings", {
    backupFileMode: "0640",
    backupFileOwner: "1000:1001",
  });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  const r = await admin.json<{ file: string; status: string }>("POST", "/api/backups?wait=true", {
    container: id,
  });
  assert.equal(r.body.status, "complete");
  for (const f of [r.body.file, `${r.body.file}.json`]) {
    const st = await Deno.stat(`${bosun.dataDir}/backups/${f}`);
    assert.equal(st.mode! & 0o777, 0o640, f);
    assert.equal(st.uid, 1000, f);
    assert.equal(st.gid, 1001, f);
  }
});
