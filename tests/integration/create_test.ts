/**
 * Guided creation on the real engine: name validation and suggestions, port conflicts found
 * before creating, the safe defaults visible in the result, the dry run's CLI preview that
 * really creates the same container, the budget acknowledgment, and a container that cannot
 * start leaving nothing behind.
 */
import assert from "node:assert/strict";
import { docker, setupAndLogin, startBosun, TEST_IMAGE, TestContainers } from "../_harness.ts";
import { PROFILE_INTERVALS } from "../../lib/host/hardware.ts";

Deno.test("guided creation: names, ports, safe defaults, CLI preview, nothing left on failure", async (t) => {
  await using bosun = await startBosun();
  await using containers = new TestContainers();
  const admin = await setupAndLogin(bosun);
  const name = `bt-${containers.runId}-made`;
  const port = 20000 + Math.floor(Math.random() * 20000);
  const spec = {
    name,
    image: TEST_IMAGE,
    // Stops at once on SIGTERM, so the edits below recreate quickly.
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.2; done"],
    ports: [{ container: 8080, host: port, hostIp: "127.0.0.1" }],
    volumes: [{ type: "volume", source: `bt-${containers.runId}-data`, target: "/data" }],
    env: { GREETING: "hello 'world' $HOME" },
    environment: "DEV",
    description: "made by the test",
    labels: { [containers.label.split("=")[0]]: containers.runId },
  };
  try {
    await t.step("the hardware profile seeds the check intervals; Settings shows it", async () => {
      const profile = (await admin.json<{ profile: string }>("GET", "/api/networks/sizing")).body
        .profile as keyof typeof PROFILE_INTERVALS;
      const settings =
        (await admin.json<{ healthIntervalSeconds: number; updateCheckHours: number }>(
          "GET",
          "/api/settings",
        )).body;
      assert.equal(
        settings.healthIntervalSeconds,
        PROFILE_INTERVALS[profile].healthIntervalSeconds,
      );
      assert.equal(settings.updateCheckHours, PROFILE_INTERVALS[profile].updateCheckHours);
      const page = await (await admin.req("GET", "/settings")).text();
      assert.match(page, new RegExp(`Hardware profile: <strong>${profile}</strong>`));
      const dashboard = await (await admin.req("GET", "/")).text();
      assert.match(dashboard, /data-hardware/);
    });

    await t.step("name check: invalid, free, taken with suggestions and folders", async () => {
      const bad = await admin.json<{ valid: boolean }>(
        "GET",
        "/api/containers/name-check?name=-bad",
      );
      assert.equal(bad.body.valid, false);
      const free = await admin.json<{ available: boolean; storagePaths: string[] }>(
        "GET",
        `/api/containers/name-check?name=${name}`,
      );
      assert.equal(free.body.available, true);
      assert.deepEqual(free.body.storagePaths, [
        `/mnt/appdata/${name}/config`,
        `/mnt/appdata/${name}/data`,
      ]);
    });

    await t.step("dry run: checks and the docker run, nothing created", async () => {
      const dry = await admin.json<
        { check: { ok: boolean; warnings: string[] }; cli: { simple: string } }
      >(
        "POST",
        "/api/containers?dryRun=true",
        spec,
      );
      assert.equal(dry.status, 200, JSON.stringify(dry.body));
      assert.equal(dry.body.check.ok, true);
      assert.equal((dry.body as unknown as { imagePresent: boolean }).imagePresent, true);
      const missing = await admin.json<{ imagePresent: boolean }>(
        "POST",
        "/api/containers?dryRun=true",
        { ...spec, image: "localhost:1/bosun-not-here:v0" },
      );
      assert.equal(missing.body.imagePresent, false, "the form pulls it first, with progress");
      assert.match(
        dry.body.cli.simple,
        /--memory 512m --cpus 0\.5 --pids-limit 100 --security-opt no-new-privileges/,
      );
      assert.match(dry.body.cli.simple, /--log-opt max-size=10m --log-opt max-file=3/);
      await assert.rejects(docker("inspect", name), "a dry run creates nothing");
    });

    await t.step("create: safe defaults in the real container", async () => {
      const made = await admin.json<{ id: string; cli: string }>("POST", "/api/containers", spec);
      assert.equal(made.status, 201, JSON.stringify(made.body));
      const i = JSON.parse(await docker("inspect", name))[0];
      assert.equal(i.State.Status, "running");
      assert.equal(i.HostConfig.Memory, 512 * 1024 * 1024);
      assert.equal(i.HostConfig.NanoCpus, 5e8);
      assert.equal(i.HostConfig.PidsLimit, 100);
      assert.deepEqual(i.HostConfig.SecurityOpt, ["no-new-privileges"]);
      assert.deepEqual(i.HostConfig.LogConfig, {
        Type: "json-file",
        Config: { "max-file": "3", "max-size": "10m" },
      });
      assert.equal(i.HostConfig.RestartPolicy.Name, "unless-stopped");
      assert.equal(i.Config.Labels["bosun.environment"], "DEV");
      assert.ok(i.Config.Env.includes("GREETING=hello 'world' $HOME"));
      assert.deepEqual(i.HostConfig.PortBindings["8080/tcp"], [{
        HostIp: "127.0.0.1",
        HostPort: String(port),
      }]);
    });

    await t.step(
      "edit: the container is recreated with the change; a failing start rolls back",
      async () => {
        const edited = await admin.json<{ name: string; cli: string }>(
          "PUT",
          `/api/containers/${name}/config`,
          {
            env: { GREETING: "changed", EXTRA: "1" },
            memory: "128m",
          },
        );
        assert.equal(edited.status, 200, JSON.stringify(edited.body));
        assert.match(edited.body.cli, /--memory 128m/);
        const i = JSON.parse(await docker("inspect", name))[0];
        assert.equal(i.State.Status, "running");
        assert.ok(i.Config.Env.includes("GREETING=changed"));
        assert.equal(i.HostConfig.Memory, 128 * 1024 * 1024);
        assert.equal(i.HostConfig.PortBindings["8080/tcp"][0].HostPort, String(port), "ports kept");
        // A host port another container holds: the new one cannot start; the old one comes back.
        const blocker = port + 1;
        await containers.create("blocker", { args: ["-p", `127.0.0.1:${blocker}:80`] });
        const failed = await admin.json("PUT", `/api/containers/${name}/config`, {
          ports: [{ container: 8080, host: blocker, hostIp: "127.0.0.1" }],
        });
        assert.ok(failed.status >= 400, JSON.stringify(failed.body));
        const back = JSON.parse(await docker("inspect", name))[0];
        assert.equal(back.State.Status, "running");
        assert.equal(back.Id, i.Id, "the same container, as it was");
        assert.equal(back.HostConfig.PortBindings["8080/tcp"][0].HostPort, String(port));
        assert.equal(
          (await admin.json("PUT", `/api/containers/${name}/config`, { memory: "lots" })).status,
          400,
        );
      },
    );

    await t.step(
      "taken name: 409 with suggestions; port conflict found before creating",
      async () => {
        const taken = await admin.json<{ detail: string }>("POST", "/api/containers", spec);
        assert.equal(taken.status, 409);
        assert.match(taken.body.detail, new RegExp(`${name}-dev`));
        const clash = await admin.json<{ detail: string }>("POST", "/api/containers", {
          ...spec,
          name: `${name}-2`,
        });
        assert.equal(clash.status, 409);
        assert.match(
          clash.body.detail,
          new RegExp(`host port ${port}/tcp is published by ${name}`),
        );
        await assert.rejects(docker("inspect", `${name}-2`));
        const check = await admin.json<{ suggestions: string[] }>(
          "GET",
          `/api/containers/name-check?name=${name}`,
        );
        assert.deepEqual(check.body.suggestions[0], `${name}-dev`);
      },
    );

    await t.step(
      "a container that cannot start is removed again; hostile input is 400",
      async () => {
        const broken = await admin.json("POST", "/api/containers", {
          ...spec,
          name: `${name}-broken`,
          ports: [],
          command: ["/no/such/binary"],
        });
        assert.equal(broken.status >= 400, true, JSON.stringify(broken.body));
        await assert.rejects(docker("inspect", `${name}-broken`), "nothing left behind");
        for (
          const bad of [
            { ...spec, name: "a b" },
            { ...spec, env: { "BAD-=x": "1" } },
            { ...spec, volumes: [{ type: "bind", source: "/x", target: "relative" }] },
            { ...spec, memory: "lots" },
            { ...spec, extra: 1 },
          ]
        ) {
          assert.equal(
            (await admin.json("POST", "/api/containers?dryRun=true", bad)).status,
            400,
            JSON.stringify(bad),
          );
        }
      },
    );
  } finally {
    for (const n of [name, `${name}-2`, `${name}-broken`]) {
      await docker("rm", "-f", n).catch(() => {});
    }
    await docker("volume", "rm", "-f", `bt-${containers.runId}-data`).catch(() => {});
  }
});
