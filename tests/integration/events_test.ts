/** Engine events: history filters and the live SSE stream. */
import assert from "node:assert/strict";
import { docker, setupAndLogin, sleep, startBosun, TestContainers } from "../_harness.ts";
import { readSse } from "../_sse_client.ts";

Deno.test("events: live stream sees an out-of-band docker stop; history filters", async (t) => {
  await using bosun = await startBosun();
  await using containers = new TestContainers();
  const admin = await setupAndLogin(bosun);
  const id = await containers.create("evented");

  await t.step("the SSE stream delivers the stop done with the docker CLI", async () => {
    const res = await admin.req("GET", "/api/events/stream?type=container", undefined, {
      Accept: "text/event-stream",
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get("Content-Type") ?? "", /text\/event-stream/);
    const stopping = sleep(300).then(() => docker("stop", "-t", "1", id));
    const events = await readSse(
      res,
      // Other tests stop containers too: wait for this one's stop.
      (event, data) =>
        event === "engine-event" && (data as { action: string }).action === "stop" &&
        (data as { id: string }).id === id,
    );
    await stopping;
    assert.equal(events[0].event, "ready");
    const stop = events.find((e) =>
      e.event === "engine-event" &&
      (e.data as { action: string }).action === "stop" && (e.data as { id: string }).id === id
    );
    assert.ok(stop, JSON.stringify(events));
    assert.equal((stop.data as { id: string }).id, id);
    assert.equal((stop.data as { name: string }).name, `bt-${containers.runId}-evented`);
  });

  await t.step("history: type and action filters; invalid combinations are 400", async () => {
    const r = await admin.json<{ action: string; id: string; type: string }[]>(
      "GET",
      "/api/events?type=container&action=start",
    );
    assert.equal(r.status, 200);
    assert.ok(r.body.length >= 1);
    assert.ok(r.body.every((e) => e.type === "container" && e.action === "start"));
    assert.ok(r.body.some((e) => e.id === id));
    const bad = await admin.json<{ errors: { path: string; message: string }[] }>(
      "GET",
      "/api/events?type=volume&action=start",
    );
    assert.equal(bad.status, 400);
    assert.match(bad.body.errors[0].message, /not an action of volume events/);
    assert.equal((await admin.json("GET", "/api/events?action=start")).status, 400);
    assert.equal((await admin.json("GET", "/api/events?since=100&until=50")).status, 400);
    assert.equal((await admin.json("GET", "/api/events?type=bogus")).status, 400);
  });

  await t.step("streams are exempt from the API rate limit and need credentials", async () => {
    const anon = await fetch(`${bosun.url}/api/events/stream`);
    assert.equal(anon.status, 401);
    await anon.body?.cancel();
  });
});
