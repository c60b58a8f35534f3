/**
 * Self-protection for real: Bosun runs in a container (image built offline) with the
 * socket mounted, recognises itself and refuses to stop, kill, pause or remove itself.
 */
import assert from "node:assert/strict";
import { BOSUN_IMAGE, buildBosunImage } from "../_bosun_image.ts";
import { Client, docker, freePort, PASSWORD, sleep, TestContainers } from "../_harness.ts";

Deno.test("Bosun in a container marks itself and refuses to stop or remove itself", async (t) => {
  await using containers = new TestContainers();
  await buildBosunImage();
  const port = freePort();
  const name = `bt-${containers.runId}-bosun`;
  const selfId = (await docker(
    "run",
    "-d",
    "--name",
    name,
    "--label",
    containers.label,
    // Bosun as part of a compose project: stack actions must still leave it alone.
    "--label",
    `com.docker.compose.project=btself${containers.runId}`,
    "--label",
    "com.docker.compose.service=bosun",
    "-v",
    "/var/run/docker.sock:/var/run/docker.sock",
    "-p",
    `127.0.0.1:${port}:8420`,
    "-e",
    `BOSUN_ADMIN_PASSWORD=${PASSWORD}`,
    BOSUN_IMAGE,
  )).trim();
  const other = await containers.create("neighbour");
  const url = `http://127.0.0.1:${port}`;
  let up = false;
  for (let i = 0; i < 100 && !up; i++) {
    await sleep(200);
    up = await fetch(`${url}/healthz`).then((r) => (r.body?.cancel(), r.ok)).catch(() => false);
  }
  assert.ok(up, `Bosun in a container did not start:\n${await docker("logs", name)}`);
  const admin = new Client(url);
  await admin.login(PASSWORD);

  await t.step("the list marks Bosun's own container", async () => {
    const list = await admin.json<{ id: string; isSelf: boolean }[]>("GET", "/api/containers");
    assert.equal(list.status, 200);
    assert.equal(list.body.find((c) => c.id === selfId)?.isSelf, true);
    assert.equal(list.body.find((c) => c.id === other)?.isSelf, false);
  });

  await t.step("stop, kill, pause, restart and remove of itself are refused", async () => {
    for (const action of ["stop", "kill", "pause", "restart"]) {
      const r = await admin.json<{ type: string; detail: string }>(
        "POST",
        `/api/containers/${name}/${action}`,
      );
      assert.equal(r.status, 409, action);
      assert.match(r.body.detail, /Bosun does not .* its own container/);
    }
    const removed = await admin.json("DELETE", `/api/containers/${name}?force=true`);
    assert.equal(removed.status, 409);
  });

  await t.step("updating or redeploying itself is refused", async () => {
    for (const kind of ["update", "redeploy"]) {
      const r = await admin.json<{ detail: string }>(
        "POST",
        `/api/updates/containers/${name}/${kind}`,
        {},
      );
      assert.equal(r.status, 409, kind);
      assert.match(r.body.detail, /Bosun never updates itself/);
    }
    assert.equal((await docker("inspect", "-f", "{{.State.Status}}", selfId)).trim(), "running");
  });

  await t.step(
    "a stack with a relative bind is refused: the data directory is not from the host",
    async () => {
      const stack = `bts${containers.runId}`;
      const saved = await admin.json("PUT", `/api/stacks/${stack}`, {
        compose:
          "services:\n  app:\n    image: bosun-test/busybox:latest\n    volumes: [./conf:/conf]\n",
      });
      assert.equal(saved.status, 200, JSON.stringify(saved.body));
      const job = await admin.json<{ id: number }>("POST", `/api/stacks/${stack}/deploy`);
      let state = { status: "running", error: "" };
      for (let i = 0; i < 100 && state.status === "running"; i++) {
        await sleep(100);
        state = (await admin.json<typeof state>("GET", `/api/stacks/jobs/${job.body.id}`)).body;
      }
      assert.equal(state.status, "failed");
      assert.match(
        state.error,
        /not mounted from the host, so relative bind paths cannot be resolved/,
      );
      await assert.rejects(docker("inspect", `${stack}-app-1`), "nothing was created");
    },
  );

  await t.step("stack stop and down leave Bosun alone when it is part of the stack", async () => {
    const stack = `btself${containers.runId}`;
    const stop = await admin.json("POST", `/api/stacks/${stack}/stop`);
    assert.equal(stop.status, 404, "nothing else to stop");
    const down = await admin.json<{ detail: string }>("POST", `/api/stacks/${stack}/down`, {});
    assert.equal(down.status, 409);
    assert.match(down.body.detail, /does not take itself down/);
    assert.equal((await docker("inspect", "-f", "{{.State.Status}}", selfId)).trim(), "running");
  });

  await t.step("a bulk stop skips Bosun and stops the others", async () => {
    const r = await admin.json<{ results: { id: string; ok: boolean; error?: string }[] }>(
      "POST",
      "/api/containers/bulk",
      { action: "stop", ids: [selfId, other], timeout: 1 },
    );
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.results.map((x) => x.ok), [false, true]);
    assert.equal((await docker("inspect", "-f", "{{.State.Status}}", selfId)).trim(), "running");
    assert.equal((await docker("inspect", "-f", "{{.State.Status}}", other)).trim(), "exited");
  });
});
