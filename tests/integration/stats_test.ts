/** Stats (one-shot, streamed, cached) and processes against the real engine. */
import assert from "node:assert/strict";
import { docker, setupAndLogin, startBosun, TestContainers } from "../_harness.ts";
import { readSse } from "../_sse_client.ts";

const UNITS: Record<string, number> = {
  B: 1,
  KiB: 2 ** 10,
  MiB: 2 ** 20,
  GiB: 2 ** 30,
  kB: 1e3,
  MB: 1e6,
  GB: 1e9,
};
function parseSize(text: string): number {
  const m = /^([\d.]+)\s*([A-Za-z]+)$/.exec(text.trim());
  if (!m || !(m[2] in UNITS)) throw new Error(`cannot parse size "${text}"`);
  return Number(m[1]) * UNITS[m[2]];
}

Deno.test("stats and top", async (t) => {
  await using bosun = await startBosun({ env: { BOSUN_STATS_INTERVAL: "1h" } });
  await using containers = new TestContainers();
  const admin = await setupAndLogin(bosun);
  const id = await containers.create("idle");

  await t.step("one-shot memory is within 10 % of `docker stats --no-stream`", async () => {
    type Point = {
      memoryBytes: number;
      memoryLimitBytes: number;
      pids: number;
      cpuPercent: number;
    };
    const cliMemory = async () => {
      const cli = (await docker("stats", "--no-stream", "--format", "{{.MemUsage}}", id)).trim();
      return cli.split("/").map(parseSize);
    };
    // A fresh container's memory still moves; compare once two CLI readings around ours agree.
    let attempt = 0;
    while (true) {
      const [before] = await cliMemory();
      const r = await admin.json<Point>("GET", `/api/containers/${id}/stats`);
      assert.equal(r.status, 200);
      const [after, limit] = await cliMemory();
      const stable = Math.abs(after / before - 1) < 0.05;
      if (!stable && ++attempt < 10) continue;
      assert.ok(stable, `the container's memory did not settle: ${before} then ${after}`);
      const ratio = r.body.memoryBytes / ((before + after) / 2);
      assert.ok(
        ratio > 0.9 && ratio < 1.1,
        `bosun ${r.body.memoryBytes} vs docker ${before}/${after}`,
      );
      assert.ok(Math.abs(r.body.memoryLimitBytes / limit - 1) < 0.01);
      assert.equal(r.body.pids, 1);
      assert.ok(r.body.cpuPercent >= 0 && r.body.cpuPercent < 50);
      break;
    }
  });

  await t.step("the cache answers at once and refreshes on demand", async () => {
    const refreshed = await admin.json<{
      refreshedAt: string;
      nextRefreshAt: string;
      intervalSeconds: number;
      containers: { id: string; latest: { memoryBytes: number } | null; history: unknown[] }[];
    }>("POST", "/api/stats/refresh");
    assert.equal(refreshed.status, 200);
    assert.equal(refreshed.body.intervalSeconds, 3600);
    const mine = refreshed.body.containers.find((c) => c.id === id);
    assert.ok(mine?.latest && mine.latest.memoryBytes > 0);
    assert.ok(Date.parse(refreshed.body.nextRefreshAt) > Date.now() + 3_000_000);
    const again = await admin.json<{ containers: { id: string; history: unknown[] }[] }>(
      "POST",
      "/api/stats/refresh",
    );
    assert.equal(again.body.containers.find((c) => c.id === id)?.history.length, 2);
    const cached = await admin.json<{ refreshedAt: string }>("GET", "/api/stats");
    assert.equal(cached.body.refreshedAt !== null, true);
  });

  await t.step("the stats stream sends a sample about every second", async () => {
    const res = await admin.req("GET", `/api/containers/${id}/stats/stream`);
    let count = 0;
    const events = await readSse(res, (event) => event === "stats" && ++count >= 2);
    assert.equal(events.filter((e) => e.event === "stats").length, 2);
  });

  await t.step("the stats stream ends with an end event when the container stops", async () => {
    const short = await containers.create("short", { command: ["sh", "-c", "sleep 2"] });
    const res = await admin.req("GET", `/api/containers/${short}/stats/stream`);
    const events = await readSse(res, (event) => event === "end", 20_000);
    assert.equal(events.at(-1)?.event, "end");
    assert.match((events.at(-1)!.data as { reason: string }).reason, /is not running/);
  });

  await t.step("top lists the processes; a stopped container is 409", async () => {
    const top = await admin.json<{ titles: string[]; processes: string[][] }>(
      "GET",
      `/api/containers/${id}/top`,
    );
    assert.equal(top.status, 200);
    assert.ok(top.body.titles.includes("CMD") || top.body.titles.includes("COMMAND"));
    assert.ok(top.body.processes.some((p) => p.join(" ").includes("sleep 3600")));
    const stopped = await containers.create("stopped", { start: false });
    assert.equal((await admin.json("GET", `/api/containers/${stopped}/top`)).status, 409);
  });
});
