/** Swarm listing, scaling and stack removal on the second engine (never the shared one). */
import assert from "node:assert/strict";
import { docker, setupAndLogin, sleep, startBosun, TEST_IMAGE } from "../_harness.ts";
import { startSecondEngine } from "../_second_engine.ts";

type Overview = {
  manager: boolean;
  services: {
    name: string;
    stack: string | null;
    replicas: number | null;
    running: number;
    image: string;
  }[];
  stacks: { name: string; services: string[] }[];
  nodes: { role: string; state: string; leader: boolean }[];
};

Deno.test("swarm: services, stacks, tasks and nodes; scale; remove a stack (second engine)", async () => {
  await using engine = await startSecondEngine();
  await using bosun = await startBosun({ dockerHost: engine.host });
  const admin = await setupAndLogin(bosun);
  const on = (...args: string[]) => docker("-H", engine.host, ...args);
  const before = await admin.json<Overview>("GET", "/api/swarm");
  assert.equal(before.status, 200);
  assert.equal(before.body.manager, false, "not a swarm yet");
  assert.equal(
    (await admin.json("POST", "/api/swarm/services/x/scale", { replicas: 2 })).status,
    409,
  );
  await on("swarm", "init", "--advertise-addr", "127.0.0.1");
  try {
    for (const svc of ["web", "worker"]) {
      await on(
        "service",
        "create",
        "--detach",
        "--name",
        `demo_${svc}`,
        "--label",
        "com.docker.stack.namespace=demo",
        "--replicas",
        "1",
        TEST_IMAGE,
        "sleep",
        "3600",
      );
    }
    await on(
      "service",
      "create",
      "--detach",
      "--name",
      "lonely",
      "--mode",
      "global",
      TEST_IMAGE,
      "sleep",
      "3600",
    );
    let o: Overview = before.body;
    for (let i = 0; i < 100; i++) {
      o = (await admin.json<Overview>("GET", "/api/swarm")).body;
      if (o.services.filter((s) => s.running >= 1).length === 3) break;
      await sleep(200);
    }
    assert.equal(o.manager, true);
    assert.deepEqual(o.stacks, [{ name: "demo", services: ["demo_web", "demo_worker"] }]);
    assert.equal(o.nodes.length, 1);
    assert.deepEqual([o.nodes[0].role, o.nodes[0].leader], ["manager", true]);
    const web = o.services.find((s) => s.name === "demo_web")!;
    assert.deepEqual([web.stack, web.replicas, web.running, web.image], ["demo", 1, 1, TEST_IMAGE]);
    assert.equal(o.services.find((s) => s.name === "lonely")?.replicas, null, "global");

    const scaled = await admin.json("POST", "/api/swarm/services/demo_web/scale", { replicas: 2 });
    assert.equal(scaled.status, 200, JSON.stringify(scaled.body));
    let tasks: { state: string }[] = [];
    for (let i = 0; i < 100; i++) {
      tasks =
        (await admin.json<{ state: string }[]>("GET", "/api/swarm/services/demo_web/tasks")).body;
      if (tasks.filter((t) => t.state === "running").length === 2) break;
      await sleep(200);
    }
    assert.equal(tasks.filter((t) => t.state === "running").length, 2);
    assert.equal(
      (await admin.json("POST", "/api/swarm/services/lonely/scale", { replicas: 2 })).status,
      400,
    );
    assert.equal(
      (await admin.json("POST", "/api/swarm/services/demo_web/scale", { replicas: -1 })).status,
      400,
    );

    const html = await (await admin.req("GET", "/stacks")).text();
    assert.match(html, /data-swarm/, "the Stacks page shows the swarm panel");
    assert.match(html, /demo_worker/);
    const removed = await admin.json<{ removed: string[] }>("DELETE", "/api/swarm/stacks/demo");
    assert.deepEqual(removed.body.removed.sort(), ["demo_web", "demo_worker"]);
    const names = (await on("service", "ls", "--format", "{{.Name}}")).trim().split("\n");
    assert.deepEqual(names, ["lonely"]);
    assert.equal((await admin.json("DELETE", "/api/swarm/stacks/demo")).status, 404);
  } finally {
    await on("swarm", "leave", "--force").catch(() => {});
  }
});
