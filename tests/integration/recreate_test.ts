/** Recreate a richly configured container and compare normalised inspect output. */
import assert from "node:assert/strict";
import { recreateContainer } from "../../lib/containers/recreate.ts";
import { DockerClient } from "../../lib/docker/client.ts";
import {
  docker,
  removeContainers,
  setupAndLogin,
  startBosun,
  TestContainers,
} from "../_harness.ts";

type Inspect = Record<string, unknown> & {
  Id: string;
  Config: Record<string, unknown>;
  HostConfig: Record<string, unknown>;
  NetworkSettings: { Networks: Record<string, Record<string, unknown>> };
  Mounts: Record<string, unknown>[];
};

async function inspect(ref: string): Promise<Inspect> {
  return JSON.parse(await docker("inspect", ref))[0];
}

/** What must survive a recreate, without ids, times and runtime state. */
function normalise(i: Inspect) {
  const short = i.Id.slice(0, 12);
  return {
    config: {
      ...i.Config,
      Hostname: i.Config.Hostname === short ? "(default)" : i.Config.Hostname,
    },
    hostConfig: i.HostConfig,
    networks: Object.fromEntries(
      Object.entries(i.NetworkSettings.Networks).map(([name, n]) => [name, {
        ip: n.IPAddress,
        ipam: n.IPAMConfig,
        aliases: ((n.Aliases as string[] | null) ?? []).filter((a) => a !== short).sort(),
      }]),
    ),
    // A volume mounted through HostConfig.Mounts reports Mode "z" where `-v` reported "":
    // the same mount, described two ways by the engine.
    mounts: i.Mounts.map(({ Mode: _mode, ...m }) => m).sort((a, b) =>
      String(a.Destination).localeCompare(String(b.Destination))
    ),
  };
}

Deno.test("recreate keeps networks with static IPs and aliases, mounts, ports and settings", async (t) => {
  await using bosun = await startBosun();
  await using containers = new TestContainers();
  const admin = await setupAndLogin(bosun);
  const run = containers.runId;
  const nets = [`bt-${run}-front`, `bt-${run}-back`];
  const subnet = 100 + Math.floor(Math.random() * 100);
  await docker(
    "network",
    "create",
    "--label",
    containers.label,
    "--subnet",
    `10.${subnet}.1.0/24`,
    nets[0],
  );
  await docker(
    "network",
    "create",
    "--label",
    containers.label,
    "--subnet",
    `10.${subnet}.2.0/24`,
    nets[1],
  );
  const volume = `bt-${run}-data`;
  try {
    const id = await containers.create("rich", {
      args: [
        "--network",
        nets[0],
        "--ip",
        `10.${subnet}.1.10`,
        "--network-alias",
        "web",
        "-e",
        "APP_MODE=prod",
        "-l",
        "tier=frontend",
        "-p",
        "18111:80",
        "--restart",
        "unless-stopped",
        "--memory",
        "64m",
        "--cpus",
        "0.5",
        "--pids-limit",
        "50",
        "--health-cmd",
        "true",
        "--health-interval",
        "5s",
        "--user",
        "0:0",
        "--cap-add",
        "NET_ADMIN",
        "--cap-drop",
        "MKNOD",
        "--log-opt",
        "max-size=1m",
        "-v",
        `${volume}:/data`,
        "-v",
        "/anon",
        "--tmpfs",
        "/run:size=1m",
        "--hostname",
        "rich-host",
        "--workdir",
        "/tmp",
        "--stop-signal",
        "SIGINT",
      ],
    });
    await docker(
      "network",
      "connect",
      "--ip",
      `10.${subnet}.2.20`,
      "--alias",
      "db-client",
      nets[1],
      id,
    );
    await docker("exec", id, "sh", "-c", "echo kept > /anon/file");
    const before = await inspect(id);

    const r = await admin.json<{ id: string; name: string }>(
      "POST",
      `/api/containers/${id}/recreate?t=1`,
    );
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.notEqual(r.body.id, id);
    assert.equal(r.body.name, `bt-${run}-rich`);
    const after = await inspect(r.body.id);

    await t.step("configuration, networks, mounts are the same", () => {
      const a = normalise(before);
      const b = normalise(after);
      assert.deepEqual(b.config, a.config);
      assert.deepEqual(b.networks, a.networks);
      assert.deepEqual(b.mounts, a.mounts);
      const { Mounts: _m, ...hostB } = b.hostConfig;
      const { Mounts: _n, ...hostA } = a.hostConfig;
      assert.deepEqual(hostB, hostA);
    });
    await t.step("it runs, the anonymous volume's data is there, the old one is gone", async () => {
      assert.equal((after.State as { Status: string }).Status, "running");
      assert.equal((await docker("exec", r.body.id, "cat", "/anon/file")).trim(), "kept");
      assert.equal((await docker("ps", "-aq", "--filter", `id=${id}`)).trim(), "");
    });
  } finally {
    await removeContainers(`bt-${run}-rich`);
    await docker("network", "rm", ...nets).catch(() => {});
    await docker("volume", "rm", volume).catch(() => {});
  }
});

Deno.test("a recreate that fails puts the old container back, running, under its name", async () => {
  await using containers = new TestContainers();
  const id = await containers.create("fragile", { args: ["-p", "18112:80"] });
  const client = new DockerClient({ host: "unix:///var/run/docker.sock", timeoutMs: 20_000 });
  try {
    await assert.rejects(
      recreateContainer(client, id, {
        changes: { image: "bosun-test/no-such-image:1" },
        stopTimeoutSeconds: 1,
      }),
      /No such image/,
    );
  } finally {
    client.close();
  }
  const state = (await docker("inspect", "-f", "{{.Name}} {{.State.Status}}", id)).trim();
  assert.equal(state, `/bt-${containers.runId}-fragile running`, "the old one is back, running");
  const names = (await docker("ps", "-a", "--format", "{{.Names}}")).split("\n");
  assert.ok(!names.some((n) => n.includes(`${containers.runId}-fragile-bosun-old`)));
  assert.equal(names.filter((n) => n === `bt-${containers.runId}-fragile`).length, 1);
});
