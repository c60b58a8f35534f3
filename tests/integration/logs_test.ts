/** Container logs: tail/since/streams/TTY, live follow over SSE, download. */
import assert from "node:assert/strict";
import { setupAndLogin, startBosun, TestContainers } from "../_harness.ts";
import { readSse } from "../_sse_client.ts";

type Line = { stream: string; text: string; time?: string };

Deno.test("logs: tail, since, timestamps, stream selection, TTY", async (t) => {
  await using bosun = await startBosun();
  await using containers = new TestContainers();
  const admin = await setupAndLogin(bosun);
  const script = "for i in 1 2 3; do echo out$i; echo err$i >&2; done; sleep 3600";
  const id = await containers.create("talker", { command: ["sh", "-c", script] });
  const tty = await containers.create("tty", { args: ["-t"], command: ["sh", "-c", script] });
  const logs = async (ref: string, query: string, min = 0) => {
    for (let i = 0; i < 30; i++) {
      const r = await admin.json<{ lines: Line[]; truncated: boolean }>(
        "GET",
        `/api/containers/${ref}/logs?${query}`,
      );
      if (r.status !== 200 || r.body.lines.length >= min) return r;
      await new Promise((res) => setTimeout(res, 100)); // the container is still writing
    }
    throw new Error("no log lines appeared");
  };

  await t.step("stdout and stderr are separated", async () => {
    const r = await logs(id, "tail=all", 6);
    assert.equal(r.status, 200);
    const byStream = (s: string) => r.body.lines.filter((l) => l.stream === s).map((l) => l.text);
    assert.deepEqual(byStream("stdout"), ["out1", "out2", "out3"]);
    assert.deepEqual(byStream("stderr"), ["err1", "err2", "err3"]);
    assert.equal(r.body.truncated, false);
  });

  await t.step("tail, stream selection, timestamps, since", async () => {
    const last = await logs(id, "tail=2");
    assert.equal(last.body.lines.length, 2);
    const errs = await logs(id, "tail=all&stream=stderr");
    assert.ok(errs.body.lines.every((l) => l.stream === "stderr"));
    const stamped = await logs(id, "tail=1&timestamps=true");
    assert.match(stamped.body.lines[0].time!, /^\d{4}-\d\d-\d\dT/);
    assert.doesNotMatch(stamped.body.lines[0].text, /^\d{4}-/);
    const future = await logs(id, `tail=all&since=${Math.floor(Date.now() / 1000) + 3600}`);
    assert.deepEqual(future.body.lines, []);
  });

  await t.step("a TTY container's output is one raw stream", async () => {
    const r = await logs(tty, "tail=all", 6);
    assert.ok(r.body.lines.length >= 6, JSON.stringify(r.body));
    assert.ok(r.body.lines.every((l) => l.stream === "stdout"));
    assert.ok(r.body.lines.some((l) => l.text === "err2"), "stderr merged by the TTY");
  });

  await t.step("bad input: unknown container 404, bad tail and stream 400", async () => {
    assert.equal((await admin.json("GET", "/api/containers/bosun-nope/logs")).status, 404);
    assert.equal((await admin.json("GET", `/api/containers/${id}/logs?tail=-5`)).status, 400);
    assert.equal((await admin.json("GET", `/api/containers/${id}/logs?tail=lots`)).status, 400);
    assert.equal((await admin.json("GET", `/api/containers/${id}/logs?stream=stdin`)).status, 400);
    assert.equal(
      (await admin.json("GET", `/api/containers/${id}/logs?since=yesterday`)).status,
      400,
    );
  });

  await t.step("download is a text attachment", async () => {
    const res = await admin.req("GET", `/api/containers/${id}/logs/download`);
    assert.equal(res.status, 200);
    assert.match(
      res.headers.get("Content-Disposition") ?? "",
      /attachment; filename=".*-talker-logs\.txt"/,
    );
    const text = await res.text();
    assert.match(text, /^out1$/m);
    assert.match(text, /^\[stderr\] err1$/m);
  });
});

Deno.test("logs follow over SSE: new lines arrive, and the end is announced", async (t) => {
  await using bosun = await startBosun();
  await using containers = new TestContainers();
  const admin = await setupAndLogin(bosun);

  await t.step("a line written after subscribing arrives", async () => {
    const id = await containers.create("ticker", {
      command: ["sh", "-c", "i=0; while true; do i=$((i+1)); echo tick$i; sleep 0.3; done"],
    });
    const res = await admin.req("GET", `/api/containers/${id}/logs/stream?tail=0`);
    assert.equal(res.status, 200);
    const events = await readSse(res, (event) => event === "lines");
    assert.equal(events[0].event, "ready");
    const lines = events.at(-1)!.data as Line[];
    assert.match(lines[0].text, /^tick\d+$/);
  });

  await t.step("when the container exits the stream ends with an end event", async () => {
    const id = await containers.create("short", { command: ["sh", "-c", "sleep 1; echo bye"] });
    const res = await admin.req("GET", `/api/containers/${id}/logs/stream?tail=all`);
    const events = await readSse(res, (event) => event === "end");
    const texts = events.filter((e) => e.event === "lines").flatMap((e) =>
      (e.data as Line[]).map((l) => l.text)
    );
    assert.deepEqual(texts, ["bye"]);
    assert.equal(events.at(-1)!.event, "end");
    assert.match((events.at(-1)!.data as { reason: string }).reason, /ended/);
  });

  await t.step("an unknown container is a 404 problem, not a stream", async () => {
    const r = await admin.json("GET", "/api/containers/bosun-nope/logs/stream");
    assert.equal(r.status, 404);
  });
});
