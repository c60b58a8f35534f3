/**
 * Bosun backs itself up: a configuration backup made with a passphrase, restored with
 * `bosun restore-config` into a fresh data directory, brings back the server name, a schedule
 * and an S3 target whose (sealed) credentials still open; without the passphrase, or with a
 * wrong one, the restore is refused and leaves nothing behind.
 */
import assert from "node:assert/strict";
import { Client, PASSWORD, ROOT, setupAndLogin, startBosun } from "../_harness.ts";
import { startS3 } from "../_s3.ts";

async function restoreConfig(file: string, dataDir: string, passphrase?: string) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${ROOT}main.ts`, "restore-config", file, "--data-dir", dataDir],
    env: passphrase ? { BOSUN_CONFIG_PASSPHRASE: passphrase } : {},
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: out.code,
    text: new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr),
  };
}

Deno.test("a configuration backup restores settings, schedules and credentials", async () => {
  let file = "";
  const source = await Deno.makeTempDir({ prefix: "bosun-test-" });
  {
    await using bosun = await startBosun({ dataDir: source });
    const admin = await setupAndLogin(bosun);
    assert.equal(
      (await admin.json("PATCH", "/api/settings", { serverName: "attic-pi" })).status,
      200,
    );
    const s = await admin.json("POST", "/api/schedules", {
      name: "nightly",
      cron: "0 3 * * *",
      selection: { mode: "all" },
    });
    assert.equal(s.status, 201);
    const t = await admin.json("POST", "/api/storage", {
      name: "offsite",
      endpoint: "http://127.0.0.1:9",
      bucket: "lab-backups",
      accessKeyId: "AKIA-TEST",
      secretAccessKey: "very-secret-key-123",
    });
    assert.equal(t.status, 201, JSON.stringify(t.body));
    const short = await admin.json("POST", "/api/system/config-backups", { passphrase: "short" });
    assert.equal(short.status, 400);
    const r = await admin.json<{ file: string; secretKeyIncluded: boolean }>(
      "POST",
      "/api/system/config-backups",
      { passphrase: "correct horse battery staple" },
    );
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.secretKeyIncluded, true);
    file = `${source}/backups/${r.body.file}`;
    const listed = await admin.json<{ file: string }[]>("GET", "/api/system/config-backups");
    assert.deepEqual(listed.body.map((x) => x.file), [r.body.file]);
  }

  const wrong = await Deno.makeTempDir({ prefix: "bosun-test-" });
  const refused = await restoreConfig(file, wrong, "not the passphrase");
  assert.notEqual(refused.code, 0);
  assert.match(refused.text, /passphrase does not open/);
  await assert.rejects(Deno.stat(`${wrong}/bosun.db`), "nothing half-restored");
  const none = await restoreConfig(file, wrong);
  assert.match(none.text, /give the passphrase/);

  const fresh = await Deno.makeTempDir({ prefix: "bosun-test-" });
  const ok = await restoreConfig(file, fresh, "correct horse battery staple");
  assert.equal(ok.code, 0, ok.text);
  assert.match(ok.text, /with its secret key/);
  const again = await restoreConfig(file, fresh, "correct horse battery staple");
  assert.match(again.text, /already has a database/);

  await using restored = await startBosun({ dataDir: fresh });
  const client = new Client(restored.url);
  await client.login(PASSWORD);
  const settings = await client.json<{ serverName: string }>("GET", "/api/settings");
  assert.equal(settings.body.serverName, "attic-pi");
  const schedules = await client.json<{ schedules: { name: string }[] }>("GET", "/api/schedules");
  assert.deepEqual(schedules.body.schedules.map((s) => s.name), ["nightly"]);
  const targets = await client.json<{ id: number; name: string }[]>("GET", "/api/storage");
  assert.equal(targets.body[0].name, "offsite");
  // The sealed secret opens: the test reaches the (closed) port instead of failing to decrypt.
  const test = await client.json<{ steps: { error?: string }[] }>(
    "POST",
    `/api/storage/${targets.body[0].id}/test`,
  );
  assert.equal(test.status, 200, JSON.stringify(test.body));
  assert.doesNotMatch(test.body.steps[0].error ?? "", /decrypt/);
});

Deno.test("a schedule backs up Bosun's configuration too, to the vault and the targets", async () => {
  await using s3 = await startS3("lab-backups");
  const { port, dir } = s3;
  await using bosun = await startBosun();
  const admin = await setupAndLogin(bosun);
  const short = await admin.json("PUT", "/api/system/config-backups/passphrase", {
    passphrase: "short",
  });
  assert.equal(short.status, 400);
  const set = await admin.json<{ set: boolean }>("PUT", "/api/system/config-backups/passphrase", {
    passphrase: "stored passphrase for nights",
  });
  assert.equal(set.body.set, true);
  assert.equal(
    (await admin.json<{ set: boolean }>("GET", "/api/system/config-backups/passphrase")).body.set,
    true,
  );
  const target = await admin.json<{ id: number }>("POST", "/api/storage", {
    name: "offsite",
    endpoint: `http://127.0.0.1:${port}`,
    bucket: "lab-backups",
    prefix: "cfg/",
    accessKeyId: "S3RVER",
    secretAccessKey: "S3RVER",
  });
  const s = await admin.json<{ id: number }>("POST", "/api/schedules", {
    name: "self",
    cron: "0 4 * * *",
    selection: { mode: "containers", containers: ["bt-none-such"] },
    includeConfig: true,
    targets: [target.body.id],
  });
  assert.equal(s.status, 201, JSON.stringify(s.body));
  const run = await admin.json<
    { status: string; summary: { config: { file: string; copiedTo: string[] } } }
  >(
    "POST",
    `/api/schedules/${s.body.id}/run?wait=true`,
  );
  assert.equal(run.body.status, "complete", JSON.stringify(run.body));
  const { file, copiedTo } = run.body.summary.config;
  assert.deepEqual(copiedTo, ["offsite"]);
  const local = `${bosun.dataDir}/backups/${file}`;
  const members = new TextDecoder().decode(
    (await new Deno.Command("tar", { args: ["-tzf", local], stdout: "piped" }).output()).stdout,
  ).split("\n");
  assert.ok(members.includes("secret.key.sealed"), "the stored passphrase sealed the key");
  const stored = [...Deno.readDirSync(`${dir}/lab-backups/cfg`)].map((e) => e.name);
  assert.ok(stored.some((n) => n.startsWith(file)), stored.join(","));
});
