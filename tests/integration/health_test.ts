/**
 * Health monitoring on the real engine: a crash-looping container, one that exits 0, one
 * whose healthcheck fails and a healthy one get their statuses with reasons; the interval
 * runs checks by itself; a container turning unhealthy raises a notification; log analysis
 * of a container's real log names the problem.
 */
import assert from "node:assert/strict";
import { setupAndLogin, sleep, startBosun, TestContainers } from "../_harness.ts";

type Check = { container: string; status: string; reasons: string[] };

Deno.test("health: statuses for crash loop, clean exit, failing healthcheck; timeline; notification; log analysis", async (t) => {
  const received: { type: string; title: string }[] = [];
  const hook = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    received.push(await req.json());
    return new Response("ok");
  });
  try {
    await using bosun = await startBosun();
    await using containers = new TestContainers();
    const admin = await setupAndLogin(bosun);
    await admin.json("POST", "/api/notifications", {
      name: "hook",
      config: { kind: "webhook", url: `http://127.0.0.1:${(hook.addr as Deno.NetAddr).port}/` },
      events: ["health.unhealthy", "health.stopped"],
    });
    const name = (n: string) => `bt-${containers.runId}-${n}`;
    await containers.create("loop", {
      args: ["--restart", "always"],
      command: ["sh", "-c", "exit 3"],
    });
    await containers.create("done", { command: ["sh", "-c", "exit 0"] });
    await containers.create("sick", {
      args: ["--health-cmd", "test -f /tmp/ok", "--health-interval", "1s", "--health-retries", "1"],
      command: ["sh", "-c", "touch /tmp/ok; sleep 2; rm /tmp/ok; sleep 3600"],
    });
    await containers.create("fine");
    await containers.create("noisy", {
      command: [
        "sh",
        "-c",
        'echo "INFO booting"; echo "Error: environment variable DATABASE_URL is not set" >&2; ' +
        'echo "ERROR connect ECONNREFUSED 10.0.0.5:5432"; echo "ERROR connect ECONNREFUSED 10.0.0.6:5432"; sleep 3600',
      ],
    });
    const statuses = async () => {
      const r = await admin.json<{ containers: Check[] }>("POST", "/api/health/check");
      return new Map(r.body.containers.map((c) => [c.container, c]));
    };

    await t.step("first check: the healthy and sick containers start healthy", async () => {
      const s = await statuses();
      assert.equal(s.get(name("fine"))?.status, "healthy");
      assert.deepEqual(s.get(name("fine"))?.reasons, ["running"]);
    });

    await t.step("statuses after a few seconds, with reasons", async () => {
      await sleep(4000);
      const s = await statuses();
      const loop = s.get(name("loop"))!;
      assert.equal(loop.status, "critical", JSON.stringify(loop));
      assert.match(loop.reasons.join(), /crash-looping|exited with code 3/);
      assert.deepEqual([s.get(name("done"))?.status, s.get(name("done"))?.reasons], [
        "stopped",
        ["exited cleanly (code 0)"],
      ]);
      const sick = s.get(name("sick"))!;
      assert.equal(sick.status, "critical", JSON.stringify(sick));
      assert.deepEqual(sick.reasons, ["its healthcheck fails"]);
      assert.equal(s.get(name("fine"))?.status, "healthy");
    });

    await t.step(
      "the interval runs checks; the timeline keeps them; a notification went out",
      async () => {
        await admin.json("PATCH", "/api/settings", { healthIntervalSeconds: 1 });
        const before =
          (await admin.json<Check[]>("GET", `/api/health/${name("fine")}/timeline`)).body.length;
        let after = before;
        for (let i = 0; i < 40 && after < before + 2; i++) {
          await sleep(250);
          after =
            (await admin.json<Check[]>("GET", `/api/health/${name("fine")}/timeline`)).body.length;
        }
        assert.ok(after >= before + 2, `automatic checks ran (${before} → ${after})`);
        await admin.json("PATCH", "/api/settings", { healthIntervalSeconds: 0 });
        for (
          let i = 0;
          i < 40 && !received.some((r) => r.title.includes(name("sick")));
          i++
        ) await sleep(100);
        assert.ok(
          received.some((r) => r.type === "health.unhealthy" && r.title.includes(name("sick"))),
          JSON.stringify(received),
        );
        const page = await (await admin.req("GET", "/health")).text();
        assert.match(page, new RegExp(`data-health="${name("sick")}"`));
      },
    );

    await t.step("log analysis of a real log names the problems", async () => {
      const r = await admin.json<{
        levels: { error: number; info: number };
        suggestions: { id: string }[];
        topErrors: { message: string; count: number }[];
      }>("GET", `/api/containers/${name("noisy")}/logs/analysis?lines=500`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.levels.error, 3);
      assert.equal(r.body.levels.info, 1);
      assert.deepEqual(r.body.suggestions.map((s) => s.id).sort(), [
        "connection-refused",
        "missing-env",
      ]);
      assert.deepEqual(r.body.topErrors[0], {
        message: "ERROR connect ECONNREFUSED <ip>",
        count: 2,
      });
      assert.equal(
        (await admin.json("GET", `/api/containers/${name("noisy")}/logs/analysis?lines=0`)).status,
        400,
      );
    });
  } finally {
    await hook.shutdown();
  }
});
