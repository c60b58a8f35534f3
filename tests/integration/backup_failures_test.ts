/** Backups that fail half-way leave nothing behind: a full data disk, an engine that stops. */
import assert from "node:assert/strict";
import { docker, setupAndLogin, sleep, startBosun, TestContainers } from "../_harness.ts";
import { startSecondEngine } from "../_second_engine.ts";

type Job = { id: number; status: string; error: string | null; file: string | null };

async function sh(...args: string[]): Promise<void> {
  const out = await new Deno.Command(args[0], { args: args.slice(1), stderr: "piped" }).output();
  if (!out.success) throw new Error(`${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
}

Deno.test("a full data disk fails the backup cleanly; earlier backups still verify", async () => {
  await using containers = new TestContainers();
  const dataDir = await Deno.makeTempDir({ prefix: "bosun-tmpfs-" });
  await sh("mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", dataDir);
  const volume = `bt-${containers.runId}-fill`;
  try {
    await using bosun = await startBosun({ dataDir });
    const admin = await setupAndLogin(bosun);
    const id = await containers.create("fill", { args: ["-v", `${volume}:/data`] });
    await docker("exec", id, "sh", "-c", "echo small > /data/a");
    const ok = await admin.json<Job>("POST", "/api/backups?wait=true", { container: id }).catch(
      async (err) => {
        const status = await Promise.race([bosun.exited, sleep(500).then(() => undefined)]);
        throw new Error(`${err} — Bosun exited ${JSON.stringify(status)}:\n${bosun.logs()}`);
      },
    );
    assert.equal(ok.body.status, "complete");
    await docker(
      "exec",
      id,
      "sh",
      "-c",
      "dd if=/dev/urandom of=/data/big bs=1048576 count=40 2>/dev/null",
    );
    const full = await admin.json<Job>("POST", "/api/backups?wait=true", { container: id });
    assert.equal(full.body.status, "failed");
    assert.match(full.body.error ?? "", /The backup disk is full/);
    const names: string[] = [];
    for await (const e of Deno.readDir(`${dataDir}/backups`)) names.push(e.name);
    assert.deepEqual(
      names.sort(),
      [ok.body.file!, `${ok.body.file}.json`].sort(),
      "no partial file",
    );
    const verify = await admin.json<{ ok: boolean }>("POST", `/api/backups/${ok.body.file}/verify`);
    assert.equal(verify.body.ok, true);
    assert.equal((await admin.json("GET", "/healthz")).status, 200);
    await docker("rm", "-f", id);
  } finally {
    await sh("umount", dataDir).catch(() => {});
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    await docker("volume", "rm", "-f", volume).catch(() => {});
  }
});

Deno.test("the engine stopping mid-backup fails the job with its message; Bosun stays up", async () => {
  await using engine = await startSecondEngine();
  await using bosun = await startBosun({ dockerHost: engine.host });
  const admin = await setupAndLogin(bosun);
  const run = async (...args: string[]) => {
    const out = await new Deno.Command("docker", {
      args: ["-H", engine.host, ...args],
      stdout: "piped",
    })
      .output();
    return new TextDecoder().decode(out.stdout).trim();
  };
  const id = await run(
    "run",
    "-d",
    "--network",
    "none",
    "-v",
    "bosun-mid:/data",
    "bosun-test/busybox:latest",
    "sh",
    "-c",
    "dd if=/dev/urandom of=/data/big bs=1048576 count=300 2>/dev/null; sleep 3600",
  );
  for (
    let i = 0;
    i < 100 && !(await run("exec", id, "ls", "-la", "/data/big")).includes("314572800");
    i++
  ) {
    await sleep(200);
  }
  const queued = await admin.json<Job>("POST", "/api/backups", {
    container: id,
    compression: "gzip",
  });
  let job: Job | undefined;
  for (let i = 0; i < 100; i++) {
    await sleep(100);
    job = (await admin.json<Job[]>("GET", "/api/backups/jobs").catch(async (err) => {
      const status = await Promise.race([bosun.exited, sleep(500).then(() => undefined)]);
      throw new Error(`${err} — Bosun exited ${JSON.stringify(status)}:\n${bosun.logs()}`);
    })).body[0];
    if (job?.status === "running") break;
  }
  await sleep(300);
  await engine.kill();
  for (let i = 0; i < 100; i++) {
    job = (await admin.json<Job[]>("GET", "/api/backups/jobs").catch(async (err) => {
      const status = await Promise.race([bosun.exited, sleep(500).then(() => undefined)]);
      throw new Error(`${err} — Bosun exited ${JSON.stringify(status)}:\n${bosun.logs()}`);
    })).body[0];
    if (job.status !== "running" && job.status !== "starting") break;
    await sleep(200);
  }
  assert.equal(job?.id, queued.body.id);
  assert.equal(job?.status, "failed", JSON.stringify(job));
  assert.ok(job?.error, "the failure says why");
  assert.equal((await admin.json("GET", "/healthz")).status, 200, "Bosun is still up");
  const files: string[] = [];
  for await (const e of Deno.readDir(`${bosun.dataDir}/backups`)) files.push(e.name);
  assert.deepEqual(files, [], "nothing half-written is left");
});
