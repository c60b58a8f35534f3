/** Container lifecycle, bulk, details and inspect against the real engine. */
import assert from "node:assert/strict";
import { DockerClient } from "../../lib/docker/client.ts";
import { detectSelfContainerId } from "../../lib/containers/self.ts";
import { buildTestApp } from "../_app.ts";
import { docker, setupAndLogin, startBosun, TestContainers } from "../_harness.ts";

async function state(id: string): Promise<string> {
  return (await docker("inspect", "-f", "{{.State.Status}}", id)).trim();
}

Deno.test("container lifecycle through the API", async (t) => {
  await using bosun = await startBosun();
  await using containers = new TestContainers();
  const admin = await setupAndLogin(bosun);
  const id = await containers.create("life");
  const name = `bt-${containers.runId}-life`;
  const act = (ref: string, action: string, query = "") =>
    admin.json("POST", `/api/containers/${ref}/${action}${query}`);

  await t.step("stop (t=1), start, restart, pause, unpause, kill change the state", async () => {
    const steps: [string, string, string][] = [
      ["stop", "?t=1", "exited"],
      ["start", "", "running"],
      ["restart", "?t=1", "running"],
      ["pause", "", "paused"],
      ["unpause", "", "running"],
      ["kill", "?signal=SIGKILL", "exited"],
    ];
    for (const [action, query, expected] of steps) {
      const r = await act(name, action, query);
      assert.equal(r.status, 200, `${action}: ${JSON.stringify(r.body)}`);
      // The docker command it equals.
      const cli = (r.body as { cli: string }).cli;
      const command = {
        stop: `docker stop -t 1 ${name}`,
        start: `docker start ${name}`,
        restart: `docker restart -t 1 ${name}`,
        pause: `docker pause ${name}`,
        unpause: `docker unpause ${name}`,
        kill: `docker kill -s SIGKILL ${name}`,
      }[action];
      assert.equal(cli, command);
      assert.equal(await state(id), expected, action);
    }
  });

  await t.step("the wrong state is 409 with the reason; unknown is 404; bad ids 400", async () => {
    const paused = await admin.json<{ detail: string }>("POST", `/api/containers/${name}/pause`);
    assert.equal(paused.status, 409);
    assert.match(paused.body.detail, new RegExp(`Cannot pause container "${name}": it is exited`));
    const missing = await act("bosun-no-such-container", "start");
    assert.equal(missing.status, 404);
    for (const bad of ["bad$name", "-leading-dash", "x".repeat(200)]) {
      assert.equal((await act(encodeURIComponent(bad), "start")).status, 400, bad);
    }
    assert.equal((await act(name, "explode")).status, 400, "unknown action");
    assert.equal((await act(name, "stop", "?t=-1")).status, 400);
    assert.equal((await act(name, "kill", "?signal=rm%20-rf")).status, 400);
  });

  await t.step("rename, and a taken name is 409", async () => {
    const other = await containers.create("other", { start: false });
    const renamed = `bt-${containers.runId}-renamed`;
    const r = await admin.json<{ cli: string }>("POST", `/api/containers/${id}/rename`, {
      name: renamed,
    });
    assert.equal(r.status, 200);
    assert.equal(r.body.cli, `docker rename ${name} ${renamed}`);
    assert.equal((await docker("inspect", "-f", "{{.Name}}", id)).trim(), `/${renamed}`);
    const clash = await admin.json("POST", `/api/containers/${other}/rename`, { name: renamed });
    assert.equal(clash.status, 409);
    const bad = await admin.json("POST", `/api/containers/${other}/rename`, { name: "a b" });
    assert.equal(bad.status, 400);
  });

  await t.step("remove refuses a running container unless forced", async () => {
    const running = await containers.create("victim");
    const refused = await admin.json<{ detail: string }>("DELETE", `/api/containers/${running}`);
    assert.equal(refused.status, 409);
    assert.match(refused.body.detail, /stop it first or force/);
    assert.equal(await state(running), "running", "nothing changed");
    const forced = await admin.json<{ cli: string }>(
      "DELETE",
      `/api/containers/${running}?force=true&volumes=true`,
    );
    assert.equal(forced.status, 200);
    assert.equal(forced.body.cli, `docker rm -f -v bt-${containers.runId}-victim`);
    assert.equal((await docker("ps", "-aq", "--filter", `id=${running}`)).trim(), "");
  });

  await t.step("every action is in the audit log", async () => {
    const audit = await admin.json<{ action: string; result: string }[]>(
      "GET",
      "/api/audit?action=container.",
    );
    const actions = new Set(audit.body.map((a) => `${a.action}:${a.result}`));
    for (
      const a of [
        "stop:success",
        "start:success",
        "pause:failure",
        "rename:success",
        "remove:failure",
        "remove:success",
      ]
    ) {
      assert.ok(actions.has(`container.${a}`), a);
    }
  });
});

Deno.test("bulk actions answer per container", async () => {
  await using bosun = await startBosun();
  await using containers = new TestContainers();
  const admin = await setupAndLogin(bosun);
  const running = await containers.create("run");
  const stopped = await containers.create("stopped", { start: false });
  const r = await admin.json<
    { results: { id: string; ok: boolean; error?: string; status?: number }[] }
  >(
    "POST",
    "/api/containers/bulk",
    { action: "stop", ids: [running, stopped, "bosun-missing-one"], timeout: 1 },
  );
  assert.equal(r.status, 200);
  const [a, b, c] = r.body.results;
  assert.deepEqual([a.ok, b.ok, c.ok], [true, false, false]);
  assert.match(b.error!, /it is created/);
  assert.equal(b.status, undefined);
  assert.match(c.error!, /No such container/);
  assert.equal(c.status, 404);
  assert.equal(await state(running), "exited");
  const invalid = await admin.json("POST", "/api/containers/bulk", {
    action: "stop",
    ids: ["ok", "../x"],
  });
  assert.equal(invalid.status, 400, "one bad id refuses the whole request before any action");
  const empty = await admin.json("POST", "/api/containers/bulk", { action: "stop", ids: [] });
  assert.equal(empty.status, 400);
});

Deno.test("details and inspect mask secret-looking values unless revealed (audited)", async () => {
  await using bosun = await startBosun();
  await using containers = new TestContainers();
  const admin = await setupAndLogin(bosun);
  const id = await containers.create("secrets", {
    args: [
      "-e",
      "DB_PASSWORD=hunter2",
      "-e",
      "API_TOKEN=t0k3n",
      "-e",
      "PLAIN=visible",
      "-p",
      "18081:80",
    ],
  });
  const details = await admin.json<{
    env: { key: string; value: string; masked: boolean }[];
    ports: { container: string; host: string | null }[];
    networks: { name: string; ipAddress: string }[];
    state: string;
    isSelf: boolean;
  }>("GET", `/api/containers/${id}`);
  assert.equal(details.status, 200);
  const env = Object.fromEntries(details.body.env.map((e) => [e.key, e]));
  assert.equal(env.DB_PASSWORD.value, "••••••");
  assert.equal(env.API_TOKEN.masked, true);
  assert.equal(env.PLAIN.value, "visible");
  assert.ok(details.body.ports.some((p) => p.container === "80/tcp" && /18081/.test(p.host ?? "")));
  assert.equal(details.body.networks[0].name, "bridge");
  assert.match(details.body.networks[0].ipAddress, /^\d+\.\d+\.\d+\.\d+$/);
  assert.equal(details.body.isSelf, false);
  const raw = await admin.req("GET", `/api/containers/${id}/inspect`);
  const text = await raw.text();
  assert.ok(!text.includes("hunter2") && !text.includes("t0k3n"));
  assert.ok(text.includes("PLAIN=visible"));
  const revealed = await admin.json<{ Config: { Env: string[] } }>(
    "GET",
    `/api/containers/${id}/inspect?reveal=true`,
  );
  assert.ok(revealed.body.Config.Env.includes("DB_PASSWORD=hunter2"));
  const audit = await admin.json<{ action: string }[]>(
    "GET",
    "/api/audit?action=container.inspect.reveal",
  );
  assert.equal(audit.body.length, 1);
});

Deno.test("self-protection: Bosun refuses to stop, kill, pause or remove its own container", async () => {
  await using containers = new TestContainers();
  const selfId = await containers.create("self");
  using ctx = buildTestApp(undefined, { selfId });
  await ctx.auth.setup("Correct-Horse-42!");
  const { token } = await ctx.auth.createToken("t");
  const call = (method: string, path: string, body?: unknown) =>
    ctx.request(path, {
      method,
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  for (const action of ["stop", "kill", "pause", "restart"]) {
    const res = await call("POST", `/api/containers/${selfId}/${action}`);
    const problem = await res.json() as { type: string; detail: string };
    assert.equal(res.status, 409, action);
    assert.match(problem.type, /self-protection/);
    assert.match(problem.detail, /its own container/);
  }
  const removed = await call("DELETE", `/api/containers/${selfId}?force=true`);
  assert.equal(removed.status, 409);
  await removed.body?.cancel();
  const bulk = await call("POST", "/api/containers/bulk", { action: "stop", ids: [selfId] });
  const { results } = await bulk.json() as { results: { ok: boolean; error: string }[] };
  assert.equal(results[0].ok, false);
  assert.match(results[0].error, /its own container/);
  assert.equal(await state(selfId), "running");
  const helper = await containers.create("helper", { args: ["--label", "bosun.helper=true"] });
  const skipped = await call("POST", "/api/containers/bulk", { action: "stop", ids: [helper] });
  const helperResult = (await skipped.json() as { results: { ok: boolean; error: string }[] })
    .results[0];
  assert.equal(helperResult.ok, false);
  assert.match(helperResult.error, /Bosun helper container/);
  assert.equal(await state(helper), "running");
  const list = await call("GET", "/api/containers");
  const rows = await list.json() as { id: string; isSelf: boolean }[];
  assert.equal(rows.find((r) => r.id === selfId)?.isSelf, true);
});

Deno.test("detectSelfContainerId() finds the container by host name or configured name", async () => {
  await using containers = new TestContainers();
  const id = await containers.create("me");
  const client = new DockerClient({ host: "unix:///var/run/docker.sock", timeoutMs: 5000 });
  try {
    assert.equal(await detectSelfContainerId(client, { hostname: id.slice(0, 12) }), id);
    assert.equal(
      await detectSelfContainerId(client, {
        configured: `bt-${containers.runId}-me`,
        hostname: "x",
      }),
      id,
    );
    assert.equal(await detectSelfContainerId(client, { hostname: "my-laptop" }), undefined);
    assert.equal(await detectSelfContainerId(client, { hostname: "0123456789ab" }), undefined);
  } finally {
    client.close();
  }
});
