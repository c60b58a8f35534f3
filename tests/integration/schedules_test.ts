/**
 * Schedules against the real engine: bad cron refused with the parser's message, a per-second
 * schedule that runs and prunes to N (manual backups survive, a removed container is skipped
 * and reported), run now, the retention dry run, and a run missed while Bosun was down made
 * up once at start-up.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { setupAndLogin, sleep, startBosun, TestContainers } from "../_harness.ts";

type Run = {
  id: number;
  trigger: string;
  status: string;
  summary: {
    backedUp: { file: string }[];
    skipped: { container: string; reason: string }[];
    pruned: { file: string }[];
  } | null;
};
type Backup = { file: string; manifest: { type: string; schedule?: string } };

Deno.test("schedules: validation, runs that prune to N, run now, dry run", async (t) => {
  await using bosun = await startBosun();
  await using containers = new TestContainers();
  const admin = await setupAndLogin(bosun);
  const name = `bt-${containers.runId}-sched`;
  await containers.create("sched", { args: ["-v", `${name}:/data`] });
  const spec = {
    name: `every-2s-${containers.runId}`,
    cron: "*/2 * * * * *",
    timezone: "UTC",
    selection: { mode: "containers", containers: [name, `bt-${containers.runId}-gone`] },
    retention: { keepLast: 2 },
  };

  await t.step("a bad cron or time zone is a 400 naming the problem", async () => {
    const bad = await admin.json<{ detail: string }>("POST", "/api/schedules", {
      ...spec,
      cron: "61 * * * *",
    });
    assert.equal(bad.status, 400);
    assert.match(bad.body.detail, /Invalid cron expression: .*minute: 61/);
    const tz = await admin.json<{ detail: string }>("POST", "/api/schedules", {
      ...spec,
      timezone: "Mars/Olympus",
    });
    assert.equal(tz.status, 400);
    assert.match(tz.body.detail, /Unknown time zone/);
    const preview = await admin.json<{ runs: string[] }>("POST", "/api/schedules/preview", {
      cron: "0 3 * * 1",
      timezone: "Europe/Berlin",
    });
    assert.equal(preview.body.runs.length, 5);
    assert.ok(preview.body.runs.every((r) => /T0[12]:00:00/.test(r)), "03:00 Berlin is 01/02 UTC");
  });

  const manual = await admin.json<{ file: string; status: string }>(
    "POST",
    "/api/backups?wait=true",
    { container: name },
  );
  assert.equal(manual.body.status, "complete");
  let id = 0;

  await t.step("it runs by itself and keeps only the last two of its backups", async () => {
    const created = await admin.json<{ id: number; nextRun: string }>(
      "POST",
      "/api/schedules",
      spec,
    );
    assert.equal(created.status, 201, JSON.stringify(created.body));
    id = created.body.id;
    assert.ok(Date.parse(created.body.nextRun) - Date.now() <= 2100, "next run within 2 s");
    let runs: Run[] = [];
    for (let i = 0; i < 100; i++) {
      runs = (await admin.json<{ runs: Run[] }>("GET", `/api/schedules/${id}`)).body.runs;
      if (runs.filter((r) => r.status === "complete").length >= 4) break;
      await sleep(200);
    }
    await admin.json("PUT", `/api/schedules/${id}`, { ...spec, enabled: false });
    await sleep(2500); // let a run in flight finish
    const done = runs.filter((r) => r.status === "complete");
    assert.ok(done.length >= 4, JSON.stringify(runs.slice(0, 3)));
    assert.ok(done.every((r) => r.trigger === "cron"));
    assert.deepEqual(done[0].summary!.skipped, [{
      container: `bt-${containers.runId}-gone`,
      reason: "no such container (removed?)",
    }]);
    assert.ok(done.some((r) => r.summary!.pruned.length > 0), "older backups were pruned");
    const vault = (await admin.json<Backup[]>("GET", "/api/backups")).body
      .filter((b) => b.file.includes(name));
    const scheduled = vault.filter((b) => b.manifest.type === "scheduled");
    assert.equal(scheduled.length, 2, vault.map((b) => b.file).join("\n"));
    assert.ok(scheduled.every((b) => b.manifest.schedule === spec.name));
    assert.ok(vault.some((b) => b.file === manual.body.file), "the manual backup survives");
  });

  await t.step("run now, and the dry run explains what retention keeps", async () => {
    const run = await admin.json<Run>("POST", `/api/schedules/${id}/run?wait=true`);
    assert.equal(run.status, 200, JSON.stringify(run.body));
    assert.equal(run.body.trigger, "manual");
    assert.equal(run.body.status, "complete");
    const dry = await admin.json<{ file: string; keep: boolean; reasons: string[] }[]>(
      "GET",
      `/api/schedules/${id}/retention`,
    );
    assert.ok(dry.body.some((d) => d.file === manual.body.file && d.reasons.includes("manual")));
    assert.equal(
      dry.body.filter((d) => d.keep && d.reasons.some((r) => r.startsWith("last"))).length,
      2,
    );
    const audit = await admin.json<{ action: string }[]>("GET", "/api/audit?action=schedule.");
    assert.ok(audit.body.some((a) => a.action === "schedule.run"));
    assert.ok(audit.body.some((a) => a.action === "schedule.create"));
  });
});

Deno.test("a run missed while Bosun was down runs once at start-up", async () => {
  await using containers = new TestContainers();
  const name = `bt-${containers.runId}-missed`;
  await containers.create("missed", {});
  const dataDir = await Deno.makeTempDir({ prefix: "bosun-test-" });
  const first = await startBosun({ dataDir, args: ["--schedule-grace", "48h"] });
  const admin = await setupAndLogin(first);
  const created = await admin.json<{ id: number }>("POST", "/api/schedules", {
    name: "nightly",
    cron: "0 3 * * *",
    timezone: "UTC",
    selection: { mode: "containers", containers: [name] },
  });
  assert.equal(created.status, 201);
  first.kill("SIGKILL");
  await first.exited;
  // Pretend the last run was 30 hours ago: last night's 03:00 was missed.
  const db = new DatabaseSync(`${dataDir}/bosun.db`);
  db.prepare("UPDATE schedules SET last_run_at = ?, created_at = ? WHERE id = ?")
    .run(Date.now() - 30 * 3_600_000, Date.now() - 30 * 3_600_000, created.body.id);
  db.close();
  await using second = await startBosun({ dataDir, args: ["--schedule-grace", "48h"] });
  const client = await setupAndLogin(second).catch(async () => {
    const { Client } = await import("../_harness.ts");
    const c = new Client(second.url);
    await c.login();
    return c;
  });
  let runs: Run[] = [];
  for (let i = 0; i < 100 && !runs.some((r) => r.status === "complete"); i++) {
    await sleep(200);
    runs = (await client.json<{ runs: Run[] }>("GET", `/api/schedules/${created.body.id}`)).body
      .runs;
  }
  assert.equal(runs.length, 1, JSON.stringify(runs));
  assert.equal(runs[0].trigger, "missed");
  assert.equal(runs[0].status, "complete");
  assert.equal(runs[0].summary!.backedUp.length, 1);
});
