/**
 * Image update detection and safe updates against a real registry (Debian's docker-registry
 * on 127.0.0.1): detect, apply with identical configuration, automatic rollback of an image
 * that exits or turns unhealthy, manual rollback, "update all", credentials and 401, a
 * digest-pinned reference, an unreachable registry, a Bosun killed mid-update.
 */
import assert from "node:assert/strict";
import { Client, docker, PASSWORD, setupAndLogin, sleep, startBosun } from "../_harness.ts";
import { Lab, LOOP, startRegistry } from "../_registry.ts";
import { SocketProxy } from "../_socket_proxy.ts";

type Row = {
  id: number;
  container: string;
  status: string;
  error: string | null;
  finishedAt: number | null;
  kind: string;
  oldImageId: string | null;
  newImageId: string | null;
  canRollBack?: boolean;
  steps: { step: string; detail?: string }[];
};
type State = {
  container: string;
  status: string;
  error: string | null;
  localDigest: string | null;
  remoteDigest: string | null;
  policy: string;
  pinned: boolean;
};

type Summary = {
  status: string;
  summary: {
    updated: string[];
    rolledBack: string[];
    skipped: { container: string; reason: string }[];
    stoppedBy?: string;
  };
};

async function inspect(name: string) {
  return JSON.parse(await docker("inspect", name))[0];
}

/** The parts of an inspect an update must keep. */
// deno-lint-ignore no-explicit-any
function normalised(i: any, network: string) {
  const labels = { ...i.Config.Labels };
  delete labels["app.version"]; // comes from the image
  return {
    name: i.Name,
    env: i.Config.Env,
    labels,
    healthcheck: i.Config.Healthcheck ?? null,
    portBindings: i.HostConfig.PortBindings,
    restart: i.HostConfig.RestartPolicy,
    memory: i.HostConfig.Memory,
    mounts: i.Mounts.map((
      m: { Type: string; Name?: string; Destination: string },
    ) => [m.Type, m.Name, m.Destination]),
    ip: i.NetworkSettings.Networks[network]?.IPAMConfig,
    address: i.NetworkSettings.Networks[network]?.IPAddress,
  };
}

async function finished(admin: Client, id: number, timeoutMs = 60_000): Promise<Row> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = (await admin.json<Row>("GET", `/api/updates/history/${id}`)).body;
    if (row.finishedAt) return row;
    if (Date.now() > deadline) {
      throw new Error(`update ${id} did not finish: ${JSON.stringify(row)}`);
    }
    await sleep(200);
  }
}

async function stateOf(admin: Client, container: string, check = true): Promise<State> {
  const res = check
    ? await admin.json<{ states: State[] }>("POST", "/api/updates/check", {
      containers: [container],
    })
    : await admin.json<{ states: State[] }>("GET", "/api/updates");
  const s = res.body.states.find((x) => x.container === container);
  assert.ok(s, `no state for ${container}: ${JSON.stringify(res.body)}`);
  return s;
}

Deno.test("updates: detect, apply with identical config, roll back an image that exits, roll back by hand", async () => {
  await using registry = await startRegistry();
  await using lab = new Lab();
  const tag = `${registry.host}/app-${lab.run}:latest`;
  const v1 = await lab.push(tag, { label: "app.version=1" });
  const network = await lab.network("172.31.77.0/24");
  const volume = lab.volume("data");
  const name = lab.name("web");
  await lab.runContainer(name, [
    "--network",
    network,
    "--ip",
    "172.31.77.10",
    "-v",
    `${volume}:/data`,
    "-e",
    "GREETING=hello world",
    "-l",
    "bosun.environment=DEV",
    "-p",
    "127.0.0.1::8080",
    "--restart",
    "unless-stopped",
    "-m",
    "64m",
  ], tag);
  await docker("exec", name, "sh", "-c", "echo precious > /data/keep.txt");
  const before = normalised(await inspect(name), network);

  await using bosun = await startBosun();
  const admin = await setupAndLogin(bosun);
  await admin.json("PATCH", "/api/settings", { updateStabilizeSeconds: 2 });
  // DEV defaults to automatic updates: set notify so this test applies by hand.
  await admin.json("PUT", `/api/updates/policies/${name}`, { policy: "notify" });
  assert.equal((await stateOf(admin, name)).status, "current");

  const v2 = await lab.push(tag, { label: "app.version=2" });
  assert.notEqual(v1, v2);
  const available = await stateOf(admin, name);
  assert.equal(available.status, "available", JSON.stringify(available));
  assert.notEqual(available.localDigest, available.remoteDigest);
  assert.ok((await admin.json<{ available: number }>("GET", "/api/updates")).body.available >= 1);

  const queued = await admin.json<Row>("POST", `/api/updates/containers/${name}/update`, {});
  assert.equal(queued.status, 202, JSON.stringify(queued.body));
  const applied = await finished(admin, queued.body.id);
  assert.equal(applied.status, "applied", JSON.stringify(applied));
  const after = await inspect(name);
  assert.equal(after.Image, v2, "runs the new image");
  assert.equal(after.State.Status, "running");
  assert.equal(after.Config.Labels["app.version"], "2", "the new image's labels apply");
  assert.deepEqual(normalised(after, network), before, "identical configuration");
  assert.equal((await docker("exec", name, "cat", "/data/keep.txt")).trim(), "precious");
  await assert.rejects(docker("inspect", `${name}-bosun-old`), "the old container is gone");
  assert.equal((await stateOf(admin, name)).status, "current");
  assert.ok(applied.steps.some((s) => s.step === "verifying"));

  // An image whose command exits 1: rolled back, the v2 container runs again as it was.
  await lab.push(tag, { label: "app.version=3", cmd: ["sh", "-c", "exit 1"] });
  const bad = await admin.json<Row>("POST", `/api/updates/containers/${name}/update`, {});
  const rolled = await finished(admin, bad.body.id);
  assert.equal(rolled.status, "rolled-back", JSON.stringify(rolled));
  assert.match(rolled.error ?? "", /exit code 1/);
  const back = await inspect(name);
  assert.equal(back.Image, v2);
  assert.equal(back.State.Status, "running");
  assert.deepEqual(normalised(back, network), before, "same volumes, IP, ports after rollback");
  assert.equal((await docker("exec", name, "cat", "/data/keep.txt")).trim(), "precious");
  await assert.rejects(docker("inspect", `${name}-bosun-old`));

  // Manual rollback of the applied update: back to v1 (its image is still here).
  const history = (await admin.json<Row[]>("GET", `/api/updates/history?container=${name}`)).body;
  const appliedRow = history.find((h) => h.id === applied.id)!;
  assert.equal(appliedRow.canRollBack, true, JSON.stringify(appliedRow));
  const manual = await admin.json<Row>("POST", `/api/updates/history/${applied.id}/rollback`);
  assert.equal(manual.status, 202, JSON.stringify(manual.body));
  const manualDone = await finished(admin, manual.body.id);
  assert.equal(manualDone.status, "applied", JSON.stringify(manualDone));
  assert.equal((await inspect(name)).Image, v1);
  assert.deepEqual(normalised(await inspect(name), network), before);

  const audit = (await admin.json<{ items: { action: string; target: string }[] }>(
    "GET",
    `/api/audit?target=${name}`,
  )).body;
  const actions = (audit.items ?? audit as unknown as { action: string }[]).map((a) => a.action);
  assert.ok(actions.includes("update.update"), actions.join());
  assert.ok(actions.includes("update.rollback"), actions.join());
});

Deno.test("updates: a failing healthcheck rolls back; digest pins, pins and Bosun's refusals", async () => {
  await using registry = await startRegistry();
  await using lab = new Lab();
  const tag = `${registry.host}/hc-${lab.run}:latest`;
  const good = await lab.push(tag, { label: "app.version=1" });
  const name = lab.name("hc");
  await lab.runContainer(name, [
    "--health-cmd",
    "test -f /bin/busybox && test ! -f /tmp/sick",
    "--health-interval",
    "1s",
    "--health-retries",
    "1",
  ], tag);
  // v2's entrypoint marks itself sick: it runs, but its healthcheck fails.
  await lab.push(tag, { label: "app.version=2", cmd: ["sh", "-c", `touch /tmp/sick; ${LOOP}`] });

  await using bosun = await startBosun({ args: ["--update-health-timeout", "10s"] });
  const admin = await setupAndLogin(bosun);
  await admin.json("PATCH", "/api/settings", { updateStabilizeSeconds: 2 });
  for (let i = 0; i < 50 && (await inspect(name)).State.Health?.Status !== "healthy"; i++) {
    await sleep(200);
  }
  const res = await admin.json<Row>("POST", `/api/updates/containers/${name}/update`, {});
  assert.equal(res.status, 202, JSON.stringify(res.body));
  const done = await finished(admin, res.body.id);
  assert.equal(done.status, "rolled-back", JSON.stringify(done));
  assert.match(done.error ?? "", /unhealthy|healthy/);
  const back = await inspect(name);
  assert.equal(back.Image, good);
  assert.equal(back.State.Status, "running");

  // Pinned: refused with 409 until unpinned.
  assert.equal(
    (await admin.json("PUT", `/api/updates/policies/${name}`, { pinned: true })).status,
    200,
  );
  const pinned = await admin.json<{ detail: string }>(
    "POST",
    `/api/updates/containers/${name}/update`,
    {},
  );
  assert.equal(pinned.status, 409);
  assert.match(pinned.body.detail, /pinned/);
  assert.equal((await stateOf(admin, name, false)).pinned, true);
  await admin.json("PUT", `/api/updates/policies/${name}`, { pinned: false });

  // A digest-pinned reference is reported as such and never updated.
  const digest = (await inspect(good)).RepoDigests[0] as string;
  const byDigest = lab.name("bydigest");
  await lab.runContainer(byDigest, [], digest);
  assert.equal((await stateOf(admin, byDigest)).status, "pinned");
  const refused = await admin.json<{ detail: string }>(
    "POST",
    `/api/updates/containers/${byDigest}/update`,
    {},
  );
  assert.equal(refused.status, 400);
  assert.match(refused.body.detail, /digest/);

  // Hostile input.
  for (const body of [{ backup: "yes" }, { extra: 1 }]) {
    assert.equal(
      (await admin.json("POST", `/api/updates/containers/${name}/update`, body)).status,
      400,
    );
  }
  assert.equal(
    (await admin.json("POST", "/api/updates/containers/..%2Fetc/update", {})).status,
    400,
  );
  assert.equal(
    (await admin.json("POST", "/api/updates/containers/no-such-container-x/update", {})).status,
    404,
  );
  assert.equal(
    (await admin.json("PUT", `/api/updates/policies/${name}`, { policy: "always" })).status,
    400,
  );
  assert.equal((await admin.json("PUT", `/api/updates/policies/${name}`, {})).status, 400);
  assert.equal((await admin.json("POST", "/api/updates/history/999999/rollback")).status, 404);
});

Deno.test("updates: update all goes SANDBOX → DEV → untagged → PRD, continues after a rollback, skips unconfirmed PRD", async () => {
  await using registry = await startRegistry();
  await using lab = new Lab();
  const apps = [
    { n: "a", env: "DEV", ok: true },
    { n: "b", env: "", ok: false },
    { n: "c", env: "PRD", ok: true },
    { n: "d", env: "SANDBOX", ok: true },
  ];
  const tags = new Map<string, string>();
  for (const a of apps) {
    const tag = `${registry.host}/all-${a.n}-${lab.run}:latest`;
    tags.set(a.n, tag);
    await lab.push(tag, { label: "app.version=1" });
    await lab.runContainer(lab.name(a.n), a.env ? ["-l", `bosun.environment=${a.env}`] : [], tag);
  }
  const news = new Map<string, string>();
  for (const a of apps) {
    news.set(
      a.n,
      await lab.push(tags.get(a.n)!, {
        label: "app.version=2",
        cmd: a.ok ? undefined : ["sh", "-c", "exit 3"],
      }),
    );
  }
  await using bosun = await startBosun({ args: ["--updates-per-hour", "3"] });
  const admin = await setupAndLogin(bosun);
  await admin.json("PATCH", "/api/settings", { updateStabilizeSeconds: 2 });
  for (const a of apps) {
    // Policies off, so the check does not update DEV and SANDBOX by itself.
    await admin.json("PUT", `/api/updates/policies/${lab.name(a.n)}`, { policy: "off" });
  }
  const run = await admin.json<{ id: number }>("POST", "/api/updates/all", {});
  assert.equal(run.status, 202);
  let summary: Summary = { status: "", summary: { updated: [], rolledBack: [], skipped: [] } };
  for (let i = 0; i < 300; i++) {
    summary = (await admin.json<Summary>("GET", `/api/updates/runs/${run.body.id}`)).body;
    if (summary.status === "complete") break;
    await sleep(200);
  }
  const mine = (list: string[]) => list.filter((n) => n.startsWith(`bu-${lab.run}-`));
  assert.equal(summary.status, "complete", JSON.stringify(summary));
  assert.deepEqual(mine(summary.summary.updated), [lab.name("d"), lab.name("a")]);
  assert.deepEqual(mine(summary.summary.rolledBack), [lab.name("b")]);
  assert.ok(
    summary.summary.skipped.some((s: { container: string; reason: string }) =>
      s.container === lab.name("c") && /PRD/.test(s.reason)
    ),
    JSON.stringify(summary.summary),
  );
  assert.equal(summary.summary.stoppedBy, undefined);
  assert.equal((await inspect(lab.name("a"))).Image, news.get("a"));
  assert.equal((await inspect(lab.name("d"))).Image, news.get("d"));
  assert.notEqual((await inspect(lab.name("b"))).Image, news.get("b"));
  assert.equal((await inspect(lab.name("b"))).State.Status, "running");
  assert.notEqual((await inspect(lab.name("c"))).Image, news.get("c"));
  // Order: SANDBOX (d) before DEV (a) before untagged (b).
  const history = (await admin.json<Row[]>("GET", "/api/updates/history")).body
    .filter((h) => h.container.startsWith(`bu-${lab.run}-`)).reverse().map((h) => h.container);
  assert.deepEqual(history, [lab.name("d"), lab.name("a"), lab.name("b")]);

  // PRD with confirmation.
  const confirmed = await admin.json<{ id: number }>("POST", "/api/updates/all", {
    confirm: [lab.name("c")],
  });
  assert.equal(confirmed.status, 202);
  for (let i = 0; i < 300; i++) {
    summary = (await admin.json<Summary>("GET", `/api/updates/runs/${confirmed.body.id}`)).body;
    if (summary.status === "complete") break;
    await sleep(200);
  }
  assert.deepEqual(
    mine(summary.summary.updated),
    [lab.name("c")],
    `${JSON.stringify(summary)}\n${bosun.logs()}`,
  );
  assert.ok(
    summary.summary.skipped.some((s) =>
      s.container === lab.name("b") && /rolled back before/.test(s.reason)
    ),
    "a version rolled back before is not retried by update all",
  );
  const backedUp = (await admin.json<{ container: string; status: string }[]>(
    "GET",
    "/api/backups/jobs",
  )).body.filter((j) => j.container === lab.name("c"));
  assert.equal(backedUp[0]?.status, "complete", "PRD: backed up before the update by default");
  // Redeploy: the same image again, a new container that passed the same verification. The
  // limit is 3 per hour: the next request is refused ("update all" counted once each).
  const beforeRedeploy = await inspect(lab.name("a"));
  const redeploy = await admin.json<Row>(
    "POST",
    `/api/updates/containers/${lab.name("a")}/redeploy`,
    {},
  );
  assert.equal(redeploy.status, 202, JSON.stringify(redeploy.body));
  assert.equal((await finished(admin, redeploy.body.id)).status, "applied");
  const redeployed = await inspect(lab.name("a"));
  assert.notEqual(redeployed.Id, beforeRedeploy.Id, "a new container");
  assert.equal(redeployed.Image, beforeRedeploy.Image, "the same image");
  const limited = await admin.json("POST", `/api/updates/containers/${lab.name("a")}/redeploy`, {});
  assert.equal(limited.status, 429);
});

Deno.test("updates: credentials for a registry with htpasswd, 401 reported, unreachable registry not fatal", async () => {
  const login = { username: "bosun", password: "s3cret-pass" };
  await using registry = await startRegistry(login);
  await using lab = new Lab();
  const config = await lab.dockerConfig();
  const loginCmd = new Deno.Command("docker", {
    args: ["--config", config, "login", registry.host, "-u", login.username, "--password-stdin"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = loginCmd.stdin.getWriter();
  await w.write(new TextEncoder().encode(login.password));
  await w.close();
  assert.ok((await loginCmd.output()).success, "docker login");
  const tag = `${registry.host}/private-${lab.run}:latest`;
  await lab.push(tag, { label: "app.version=1", config });
  const name = lab.name("private");
  await lab.runContainer(name, [], tag);

  await using open = await startRegistry();
  const openTag = `${open.host}/open-${lab.run}:latest`;
  await lab.push(openTag, { label: "app.version=1" });
  const other = lab.name("open");
  await lab.runContainer(other, [], openTag);

  await using bosun = await startBosun();
  const admin = await setupAndLogin(bosun);
  await admin.json("PATCH", "/api/settings", { updateStabilizeSeconds: 1 });
  const noCreds = await stateOf(admin, name);
  assert.equal(noCreds.status, "error");
  assert.match(noCreds.error ?? "", /needs credentials|refused/);

  const wrong = await admin.json("PUT", `/api/updates/registries/${registry.host}`, {
    username: login.username,
    password: "wrong",
  });
  assert.equal(wrong.status, 200);
  assert.ok(!JSON.stringify(wrong.body).includes("wrong"), "no password in the answer");
  assert.match((await stateOf(admin, name)).error ?? "", /refused|401/);

  // A blank password keeps the stored one; then the right one.
  await admin.json("PUT", `/api/updates/registries/${registry.host}`, { username: login.username });
  await admin.json("PUT", `/api/updates/registries/${registry.host}`, login);
  const listed = (await admin.json<unknown[]>("GET", "/api/updates/registries")).body;
  assert.ok(!JSON.stringify(listed).includes(login.password));
  assert.equal((await stateOf(admin, name)).status, "current");
  const v2 = await lab.push(tag, { label: "app.version=2", config });
  assert.equal((await stateOf(admin, name)).status, "available");
  const oldImage = (await inspect(name)).Image;
  const res = await admin.json<Row>("POST", `/api/updates/containers/${name}/update`, {
    removeOldImage: true,
  });
  const done = await finished(admin, res.body.id);
  assert.equal(done.status, "applied", JSON.stringify(done));
  assert.equal((await inspect(name)).Image, v2, "pulled with the stored credentials");
  await assert.rejects(docker("image", "inspect", oldImage), "the old image was removed");

  // The open registry goes away: reported for its container, the check still answers.
  await open[Symbol.asyncDispose]();
  const report = await admin.json<{ states: State[]; failedRegistries: { registry: string }[] }>(
    "POST",
    "/api/updates/check",
    {},
  );
  assert.equal(report.status, 200);
  assert.ok(report.body.failedRegistries.some((f) => f.registry === open.host));
  assert.equal(report.body.states.find((s) => s.container === other)?.status, "error");
  assert.equal(report.body.states.find((s) => s.container === name)?.status, "current");
});

Deno.test("updates: a Bosun killed mid-update rolls back at start-up; a lone leftover gets its name back", async () => {
  await using registry = await startRegistry();
  await using lab = new Lab();
  const tag = `${registry.host}/crash-${lab.run}:latest`;
  const v1 = await lab.push(tag, { label: "app.version=1" });
  const name = lab.name("crash");
  await lab.runContainer(name, ["-l", "bosun.environment=UAT"], tag);
  await lab.push(tag, { label: "app.version=2" });
  const dataDir = await Deno.makeTempDir({ prefix: "bosun-test-" });
  try {
    const first = await startBosun({ dataDir });
    const admin = await setupAndLogin(first);
    await admin.json("PATCH", "/api/settings", { updateStabilizeSeconds: 60 });
    const res = await admin.json<Row>("POST", `/api/updates/containers/${name}/update`, {});
    for (let i = 0; i < 200; i++) {
      const row = (await admin.json<Row>("GET", `/api/updates/history/${res.body.id}`)).body;
      if (row.steps.some((s) => s.step === "verifying")) break;
      await sleep(100);
    }
    assert.equal(
      (await inspect(`${name}-bosun-old`)).Image,
      v1,
      "mid-update: the old one waits aside",
    );
    first.kill("SIGKILL");
    await first.exited;

    await using second = await startBosun({ dataDir });
    const again = new Client(second.url);
    await again.login(PASSWORD);
    const row = (await again.json<Row>("GET", `/api/updates/history/${res.body.id}`)).body;
    assert.equal(row.status, "rolled-back", JSON.stringify(row));
    const back = await inspect(name);
    assert.equal(back.Image, v1);
    assert.equal(back.State.Status, "running");
    await assert.rejects(docker("inspect", `${name}-bosun-old`));
  } finally {
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }

  // A leftover with no container of its name (a recreate that stopped half-way).
  const lone = lab.name("lone");
  await lab.runContainer(`${lone}-bosun-old`, [], tag);
  await docker("stop", "-t", "1", `${lone}-bosun-old`);
  await lab.runContainer(lone, [], tag).then(() => docker("rm", "-f", lone));
  await using third = await startBosun();
  const admin3 = await setupAndLogin(third);
  assert.equal((await inspect(lone)).State.Status, "running", "renamed back and started");
  await assert.rejects(docker("inspect", `${lone}-bosun-old`));
  // Both present: left alone, and an update refuses naming the leftover.
  const twin = lab.name("twin");
  await lab.runContainer(twin, [], tag);
  await lab.runContainer(`${twin}-bosun-old`, [], tag);
  const refused = await admin3.json<{ detail: string }>(
    "POST",
    `/api/updates/containers/${twin}/update`,
    {},
  );
  assert.equal(refused.status, 409);
  assert.match(refused.body.detail, /leftover/);
});

Deno.test("updates: the engine lost mid-run stops update all; the next start rolls the half-done update back", async () => {
  await using registry = await startRegistry();
  await using lab = new Lab();
  const names = ["e1", "e2", "e3"].map((n) => lab.name(n));
  const olds = new Map<string, string>();
  for (const [i, name] of names.entries()) {
    const tag = `${registry.host}/cut-${i}-${lab.run}:latest`;
    olds.set(name, await lab.push(tag, { label: "app.version=1" }));
    await lab.runContainer(name, ["-l", `bosun.environment=${["SANDBOX", "DEV", "UAT"][i]}`], tag);
    await lab.push(tag, { label: "app.version=2" });
  }
  const dir = await Deno.makeTempDir({ prefix: "bosun-proxy-" });
  const dataDir = await Deno.makeTempDir({ prefix: "bosun-test-" });
  try {
    await using proxy = new SocketProxy(`${dir}/docker.sock`);
    await proxy.open();
    const env = { BOSUN_DOCKER_CHECK_INTERVAL: "300ms", BOSUN_DOCKER_TIMEOUT: "3s" };
    const first = await startBosun({ dockerHost: proxy.host, dataDir, env });
    const admin = await setupAndLogin(first);
    await admin.json("PATCH", "/api/settings", { updateStabilizeSeconds: 30 });
    for (const n of names) await admin.json("PUT", `/api/updates/policies/${n}`, { policy: "off" });
    const run = await admin.json<{ id: number }>("POST", "/api/updates/all", {});
    assert.equal(run.status, 202);
    // Wait until e1 is being verified, then take the engine away.
    for (let i = 0; i < 300; i++) {
      const row = (await admin.json<Row>("GET", "/api/updates/history/1")).body;
      if (row.steps?.some((s) => s.step === "verifying")) break;
      await sleep(100);
    }
    await proxy.cut();
    let summary: Summary | undefined;
    for (let i = 0; i < 300; i++) {
      summary = (await admin.json<Summary>("GET", `/api/updates/runs/${run.body.id}`)).body;
      if (summary.status === "complete") break;
      await sleep(200);
    }
    assert.equal(summary?.status, "complete", JSON.stringify(summary));
    assert.match(summary!.summary.stoppedBy ?? "", new RegExp(names[0]));
    const skipped = summary!.summary.skipped.map((s) => s.container);
    assert.deepEqual(skipped, [names[1], names[2]], JSON.stringify(summary));
    const row = (await admin.json<Row>("GET", "/api/updates/history/1")).body;
    assert.equal(row.status, "rollback-failed", JSON.stringify(row));
    await first.stop();
    // Half-done: the new e1 runs, the old one waits aside.
    assert.ok(await inspect(`${names[0]}-bosun-old`));

    await proxy.open();
    await using second = await startBosun({ dockerHost: proxy.host, dataDir, env });
    const again = new Client(second.url);
    await again.login(PASSWORD);
    const repaired = (await again.json<Row>("GET", "/api/updates/history/1")).body;
    assert.equal(repaired.status, "rolled-back", JSON.stringify(repaired));
    const e1 = await inspect(names[0]);
    assert.equal(e1.Image, olds.get(names[0]), "the old container is back");
    assert.equal(e1.State.Status, "running");
    await assert.rejects(docker("inspect", `${names[0]}-bosun-old`));
    for (const n of names.slice(1)) assert.equal((await inspect(n)).Image, olds.get(n));
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
});
