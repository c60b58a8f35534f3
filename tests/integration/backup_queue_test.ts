/** The backup queue: SIGKILL mid-backup, cancel, live progress over SSE. */
import assert from "node:assert/strict";
import { docker, setupAndLogin, sleep, startBosun, TestContainers } from "../_harness.ts";
import { readSse } from "../_sse_client.ts";

type Job = {
  id: number;
  status: string;
  error: string | null;
  file: string | null;
  progress?: { bytesIn: number };
};

async function vaultFiles(dataDir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(`${dataDir}/backups`)) names.push(e.name);
  return names;
}

Deno.test("SIGKILL mid-backup: no partial file, job failed, container running again", async () => {
  await using containers = new TestContainers();
  const volume = `bt-${containers.runId}-big`;
  const id = await containers.create("big", {
    args: ["-v", `${volume}:/data`],
    // An init-less PID 1 ignores SIGTERM; this one stops at once, as a real service would.
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.2; done"],
  });
  await docker(
    "exec",
    id,
    "sh",
    "-c",
    "dd if=/dev/urandom of=/data/big.bin bs=1048576 count=400 2>/dev/null",
  );
  const dataDir = await Deno.makeTempDir({ prefix: "bosun-test-" });
  try {
    const first = await startBosun({ dataDir });
    const admin = await setupAndLogin(first);
    const queued = await admin.json<Job>("POST", "/api/backups", {
      container: id,
      consistency: "stop",
      compression: "gzip",
    });
    assert.equal(queued.status, 202);
    let job: Job | undefined;
    for (let i = 0; i < 200; i++) {
      await sleep(100);
      job = (await admin.json<Job[]>("GET", "/api/backups/jobs")).body[0];
      if (job.status === "running" && (job.progress?.bytesIn ?? 0) > 0) break;
    }
    assert.equal(job?.status, "running", JSON.stringify(job));
    assert.ok((job?.progress?.bytesIn ?? 0) > 0, "data is flowing");
    assert.equal((await docker("inspect", "-f", "{{.State.Status}}", id)).trim(), "exited");
    first.kill("SIGKILL");
    await first.exited;
    assert.ok(
      (await vaultFiles(dataDir)).some((n) => n.endsWith(".partial")),
      "a partial file exists",
    );

    await using second = await startBosun({ dataDir });
    const again = await setupAndLogin(second).catch(async () => {
      const { Client, PASSWORD } = await import("../_harness.ts");
      const c = new Client(second.url);
      await c.login(PASSWORD);
      return c;
    });
    const after = (await again.json<Job[]>("GET", "/api/backups/jobs")).body[0];
    assert.equal(after.status, "failed");
    assert.match(after.error ?? "", /Bosun stopped while this backup ran/);
    assert.deepEqual(await vaultFiles(dataDir), [], "no partial file left, nothing listed");
    assert.deepEqual((await again.json<unknown[]>("GET", "/api/backups")).body, []);
    assert.equal((await docker("inspect", "-f", "{{.State.Status}}", id)).trim(), "running");
    // Leftover helpers are removed in the background (start-up never waits on the engine's
    // locks), so this waits for it, bounded.
    let helpers = "";
    for (let i = 0; i < 100; i++) {
      helpers = (await docker("ps", "-aq", "--filter", "label=bosun.helper=true")).trim();
      if (helpers === "") break;
      await sleep(200);
    }
    assert.equal(helpers, "", "helpers garbage-collected");
  } finally {
    await docker("rm", "-f", id).catch(() => {});
    await docker("volume", "rm", "-f", volume).catch(() => {});
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("queue: jobs run one at a time with live progress; a queued job can be cancelled", async () => {
  await using bosun = await startBosun();
  await using containers = new TestContainers();
  const admin = await setupAndLogin(bosun);
  const volume = `bt-${containers.runId}-q`;
  const id = await containers.create("q", { args: ["-v", `${volume}:/data`] });
  try {
    await docker(
      "exec",
      id,
      "sh",
      "-c",
      "dd if=/dev/urandom of=/data/f bs=1048576 count=100 2>/dev/null",
    );
    const stream = await admin.req("GET", "/api/backups/jobs/stream");
    const first = (await admin.json<Job>("POST", "/api/backups", { container: id })).body;
    const second = (await admin.json<Job>("POST", "/api/backups", { container: id })).body;
    const cancelled = await admin.json<Job>("DELETE", `/api/backups/jobs/${second.id}`);
    assert.equal(cancelled.body.status, "cancelled");
    const events = await readSse(
      stream,
      (event, data) =>
        event === "job" && (data as Job).id === first.id && (data as Job).status === "complete",
      60_000,
    );
    const statuses = events.filter((e) => (e.data as Job).id === first.id).map((e) =>
      (e.data as Job).status
    );
    assert.deepEqual([...new Set(statuses)], ["queued", "starting", "running", "complete"]);
    assert.ok(
      events.some((e) => ((e.data as Job).progress?.bytesIn ?? 0) > 0),
      "progress was sent",
    );
    const again = await admin.json("DELETE", `/api/backups/jobs/${first.id}`);
    assert.equal(again.status, 409, "a finished job cannot be cancelled");
    const list = await admin.json<{ file: string }[]>("GET", "/api/backups");
    assert.equal(list.body.length, 1, "only the first job wrote a backup");
  } finally {
    await docker("rm", "-f", id).catch(() => {});
    await docker("volume", "rm", "-f", volume).catch(() => {});
  }
});
