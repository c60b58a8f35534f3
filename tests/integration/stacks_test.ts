/**
 * Compose stacks on the real engine: a 2-service stack with a network, a volume, a relative
 * bind and a healthcheck dependency, deployed natively; one service changed and redeployed
 * (only it is recreated); start/stop; down with volumes. A project made by Debian's
 * `docker-compose` (v1; v2 uses the same labels) is listed too.
 */
import assert from "node:assert/strict";
import { docker, setupAndLogin, sleep, startBosun, TEST_IMAGE } from "../_harness.ts";

type Stack = {
  name: string;
  managed: boolean;
  state: string;
  services: { name: string; containers: { id: string; name: string; state: string }[] }[];
};
type Job = {
  id: number;
  status: string;
  steps: string[];
  error?: string;
  result?: { services: { name: string; action: string }[] };
};

const LOOP = 'trap "exit 0" TERM; while true; do sleep 0.2; done';

function compose(greeting: string): string {
  return `services:
  db:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", 'sleep 1; touch /tmp/ready; ${LOOP}']
    healthcheck:
      test: ["CMD", "test", "-f", "/tmp/ready"]
      interval: 1s
      retries: 30
    networks: [back]
    volumes: [data:/var/lib/db]
  web:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", '${LOOP}']
    environment:
      GREETING: "${greeting}"
    env_file: [web.env]
    depends_on:
      db: {condition: service_healthy}
    networks:
      back: {aliases: [frontend]}
    volumes:
      - data:/data
      - ./conf:/conf:ro
    labels: {app: web}
    restart: unless-stopped
    mem_limit: 64m
networks:
  back: {}
volumes:
  data: {}
`;
}

async function deployed(
  admin: Awaited<ReturnType<typeof setupAndLogin>>,
  name: string,
): Promise<Job> {
  const started = await admin.json<Job>("POST", `/api/stacks/${name}/deploy`);
  assert.equal(started.status, 202, JSON.stringify(started.body));
  for (let i = 0; i < 300; i++) {
    const job = (await admin.json<Job>("GET", `/api/stacks/jobs/${started.body.id}`)).body;
    if (job.status !== "running") return job;
    await sleep(200);
  }
  throw new Error("the deploy did not finish");
}

Deno.test("stacks: deploy natively, redeploy only what changed, start/stop, down with volumes", async (t) => {
  await using bosun = await startBosun();
  const admin = await setupAndLogin(bosun);
  const name = `bts${crypto.randomUUID().slice(0, 6)}`;
  try {
    await t.step("a broken file is refused with line numbers; nothing is saved", async () => {
      const bad = await admin.json<{ errors: { path: string; message: string }[] }>(
        "PUT",
        `/api/stacks/${name}`,
        { compose: "services:\n  web:\n    image: x\n    depends_on: [nope]\n" },
      );
      assert.equal(bad.status, 400);
      assert.match(JSON.stringify(bad.body.errors), /line 4: depends on unknown service/);
      assert.equal((await admin.json("GET", `/api/stacks/${name}`)).status, 404);
      for (const n of ["UPPER", "..%2Fx", "-x"]) {
        assert.equal(
          (await admin.json("PUT", `/api/stacks/${n}`, { compose: "services: {}" })).status,
          400,
          n,
        );
      }
    });

    await t.step("deploy: networks, volumes, then containers in depends_on order", async () => {
      const saved = await admin.json<{ warnings: unknown[] }>("PUT", `/api/stacks/${name}`, {
        compose: compose("hello"),
      });
      assert.equal(saved.status, 200, JSON.stringify(saved.body));
      // The env_file lives in the stack folder (written by hand, as users do).
      await Deno.writeTextFile(
        `${bosun.dataDir}/stacks/${name}/web.env`,
        "FROM_FILE=yes\nGREETING=overridden\n",
      );
      const job = await deployed(admin, name);
      assert.equal(job.status, "complete", JSON.stringify(job));
      assert.ok(job.steps.some((s) => /waiting for db \(healthy\)/.test(s)), job.steps.join("\n"));
      assert.deepEqual(job.result?.services.map((s) => [s.name, s.action]), [
        ["db", "created"],
        ["web", "created"],
      ]);
      const web = JSON.parse(await docker("inspect", `${name}-web-1`))[0];
      assert.equal(web.Config.Labels["com.docker.compose.project"], name);
      assert.equal(web.Config.Labels["com.docker.compose.service"], "web");
      assert.equal(web.Config.Labels.app, "web");
      assert.ok(web.Config.Env.includes("GREETING=hello"), "environment wins over env_file");
      assert.ok(web.Config.Env.includes("FROM_FILE=yes"));
      assert.equal(web.HostConfig.Memory, 64 * 1024 * 1024);
      assert.equal(web.HostConfig.RestartPolicy.Name, "unless-stopped");
      assert.ok(web.NetworkSettings.Networks[`${name}_back`].Aliases.includes("frontend"));
      const mounts = new Map(
        web.Mounts.map((
          m: { Destination: string; Source: string; Name?: string },
        ) => [m.Destination, m]),
      );
      assert.equal((mounts.get("/data") as { Name: string }).Name, `${name}_data`);
      assert.equal(
        (mounts.get("/conf") as { Source: string }).Source,
        `${await Deno.realPath(bosun.dataDir)}/stacks/${name}/conf`,
      );
      const db = JSON.parse(await docker("inspect", `${name}-db-1`))[0];
      assert.equal(db.State.Health.Status, "healthy");
      const stacks = (await admin.json<Stack[]>("GET", "/api/stacks")).body;
      const mine = stacks.find((s) => s.name === name)!;
      assert.deepEqual([mine.managed, mine.state], [true, "running"]);
      assert.deepEqual(mine.services.map((s) => s.name), ["db", "web"]);
    });

    await t.step("redeploy after a change recreates only the changed service", async () => {
      const dbBefore = JSON.parse(await docker("inspect", `${name}-db-1`))[0].Id;
      const webBefore = JSON.parse(await docker("inspect", `${name}-web-1`))[0].Id;
      await admin.json("PUT", `/api/stacks/${name}`, { compose: compose("changed") });
      const job = await deployed(admin, name);
      assert.equal(job.status, "complete", JSON.stringify(job));
      assert.deepEqual(job.result?.services.map((s) => [s.name, s.action]), [
        ["db", "unchanged"],
        ["web", "recreated"],
      ]);
      assert.equal(JSON.parse(await docker("inspect", `${name}-db-1`))[0].Id, dbBefore);
      const web = JSON.parse(await docker("inspect", `${name}-web-1`))[0];
      assert.notEqual(web.Id, webBefore);
      assert.ok(web.Config.Env.includes("GREETING=changed"));
    });

    await t.step("stop, start; down keeps volumes unless asked", async () => {
      const stopped = await admin.json<{ containers: string[] }>(
        "POST",
        `/api/stacks/${name}/stop`,
      );
      assert.deepEqual(
        stopped.body.containers,
        [`${name}-web-1`, `${name}-db-1`],
        "dependents first",
      );
      const stacks = (await admin.json<Stack[]>("GET", "/api/stacks")).body;
      assert.equal(stacks.find((s) => s.name === name)?.state, "stopped");
      await admin.json("POST", `/api/stacks/${name}/start`);
      assert.equal(
        (await docker("inspect", "-f", "{{.State.Status}}", `${name}-web-1`)).trim(),
        "running",
      );
      assert.equal((await admin.json("POST", `/api/stacks/${name}/explode`)).status, 400);
      const down = await admin.json<
        { containers: string[]; networks: string[]; volumes: string[] }
      >(
        "POST",
        `/api/stacks/${name}/down`,
        { volumes: true },
      );
      assert.equal(down.status, 200, JSON.stringify(down.body));
      assert.deepEqual(down.body.networks, [`${name}_back`]);
      assert.deepEqual(down.body.volumes, [`${name}_data`]);
      await assert.rejects(docker("inspect", `${name}-web-1`));
      await assert.rejects(docker("volume", "inspect", `${name}_data`));
      const after = (await admin.json<Stack[]>("GET", "/api/stacks")).body;
      assert.equal(after.find((s) => s.name === name)?.state, "not deployed");
      assert.equal((await admin.json("DELETE", `/api/stacks/${name}`)).status, 204);
    });
  } finally {
    for (const s of ["web", "db"]) await docker("rm", "-f", `${name}-${s}-1`).catch(() => {});
    await docker("network", "rm", `${name}_back`).catch(() => {});
    await docker("volume", "rm", "-f", `${name}_data`).catch(() => {});
  }
});

Deno.test("stacks: a docker-compose (v1) project is listed; the converter answers", async () => {
  await using bosun = await startBosun();
  const admin = await setupAndLogin(bosun);
  const project = `btc${crypto.randomUUID().slice(0, 6)}`;
  const dir = await Deno.makeTempDir({ prefix: "bosun-compose-" });
  await Deno.writeTextFile(
    `${dir}/docker-compose.yml`,
    `version: "3"\nservices:\n  cache:\n    image: ${TEST_IMAGE}\n    command: ["sleep", "3600"]\n`,
  );
  const run = (...args: string[]) =>
    new Deno.Command("docker-compose", {
      args: ["-p", project, "-f", `${dir}/docker-compose.yml`, ...args],
      stdout: "piped",
      stderr: "piped",
    }).output();
  try {
    const up = await run("up", "-d");
    assert.ok(up.success, new TextDecoder().decode(up.stderr));
    const stacks = (await admin.json<Stack[]>("GET", "/api/stacks")).body;
    const mine = stacks.find((s) => s.name === project);
    assert.ok(mine, JSON.stringify(stacks.map((s) => s.name)));
    assert.equal(mine.managed, false);
    assert.equal(mine.state, "running");
    assert.deepEqual(mine.services.map((s) => s.name), ["cache"]);
    const stop = await admin.json("POST", `/api/stacks/${project}/stop`);
    assert.equal(stop.status, 200);
    const conv = await admin.json<{ yaml: string; warnings: string[] }>(
      "POST",
      "/api/stacks/convert",
      {
        command: "docker run -d --name web -p 8080:80 nginx",
      },
    );
    assert.equal(conv.status, 200);
    assert.match(conv.body.yaml, /container_name: web/);
    assert.equal(
      (await admin.json("POST", "/api/stacks/convert", { command: "rm -rf /" })).status,
      400,
    );

    // The template gallery fills a stack's .env from the placeholders.
    const templates = (await admin.json<{ id: string }[]>("GET", "/api/stacks/templates")).body;
    assert.ok(templates.length >= 12);
    const made = await admin.json<{ env: string; warnings: unknown[] }>(
      "POST",
      "/api/stacks/templates/uptime-kuma",
      { stack: `${project}t`, values: { PORT: "3901" } },
    );
    assert.equal(made.status, 200, JSON.stringify(made.body));
    assert.match(made.body.env, /^PORT=3901$/m);
    assert.match(made.body.env, new RegExp(`^DATA_DIR=/mnt/appdata/${project}t$`, "m"));
    assert.deepEqual(made.body.warnings, []);
    const again = await admin.json("POST", "/api/stacks/templates/uptime-kuma", {
      stack: `${project}t`,
    });
    assert.equal(again.status, 409);
    assert.equal(
      (await admin.json("POST", "/api/stacks/templates/nope", { stack: "x" })).status,
      404,
    );
    assert.equal((await admin.json("DELETE", `/api/stacks/${project}t`)).status, 204);
  } finally {
    await run("down", "-v");
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
