/**
 * The engine restarting mid-stream (second engine, never the shared one): open log and
 * event streams end cleanly, Bosun stays up, answers 503 meanwhile and reconnects.
 */
import assert from "node:assert/strict";
import { setupAndLogin, sleep, startBosun } from "../_harness.ts";
import { startSecondEngine } from "../_second_engine.ts";
import { readSse } from "../_sse_client.ts";

async function engine2(host: string, ...args: string[]): Promise<string> {
  const out = await new Deno.Command("docker", { args: ["-H", host, ...args], stdout: "piped" })
    .output();
  return new TextDecoder().decode(out.stdout).trim();
}

Deno.test("an engine restart mid-stream ends streams cleanly and Bosun recovers", async () => {
  await using engine = await startSecondEngine();
  await using bosun = await startBosun({
    dockerHost: engine.host,
    env: { BOSUN_DOCKER_CHECK_INTERVAL: "300ms" },
  });
  const admin = await setupAndLogin(bosun);
  const id = await engine2(
    engine.host,
    "run",
    "-d",
    "--network",
    "none",
    "bosun-test/busybox:latest",
    "sh",
    "-c",
    "i=0; while true; do i=$((i+1)); echo line$i; sleep 0.2; done",
  );
  const logs = await admin.req("GET", `/api/containers/${id}/logs/stream?tail=1`);
  const events = await admin.req("GET", "/api/events/stream");
  assert.equal(logs.status, 200);
  assert.equal(events.status, 200);
  const logEvents = readSse(logs, () => false, 30_000);
  const engineEvents = readSse(events, () => false, 30_000);
  await sleep(800);
  await engine.stop();
  const [l, e] = await Promise.all([logEvents, engineEvents]);
  assert.ok(l.some((x) => x.event === "lines"), "lines arrived before the restart");
  const last = l.at(-1)!.event;
  assert.ok(["end", "error"].includes(last), `the log stream ended with "${last}"`);
  assert.ok(["end", "error"].includes(e.at(-1)!.event), "the event stream ended too");

  const down = await admin.json<{ type: string }>("GET", "/api/containers");
  assert.equal(down.status, 503);
  assert.equal((await admin.json("GET", "/healthz")).status, 200, "Bosun is still up");

  await engine.start();
  let ok = false;
  for (let i = 0; i < 40 && !ok; i++) {
    await sleep(250);
    ok = (await admin.json("GET", "/api/containers")).status === 200;
  }
  assert.ok(ok, "Bosun talks to the engine again after its restart");
});
