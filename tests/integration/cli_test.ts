/**
 * The generated `docker run` really recreates the container: a container made with many
 * flags (hostile env and label values included) is removed, its generated command run with
 * the Docker CLI in each mode, and the normalised inspect compared.
 */
import assert from "node:assert/strict";
import { docker, setupAndLogin, startBosun, TEST_IMAGE } from "../_harness.ts";

// deno-lint-ignore no-explicit-any
function normalised(i: any, network: string) {
  return {
    env: [...i.Config.Env].sort(),
    labels: i.Config.Labels,
    cmd: i.Config.Cmd,
    entrypoint: i.Config.Entrypoint,
    user: i.Config.User,
    workdir: i.Config.WorkingDir,
    healthcheck: i.Config.Healthcheck ?? null,
    ports: i.HostConfig.PortBindings,
    // The docker CLI keeps -v flags in a map: their order is not kept.
    binds: [...i.HostConfig.Binds].sort(),
    restart: i.HostConfig.RestartPolicy,
    memory: i.HostConfig.Memory,
    cpus: i.HostConfig.NanoCpus,
    pids: i.HostConfig.PidsLimit,
    capAdd: i.HostConfig.CapAdd,
    capDrop: i.HostConfig.CapDrop,
    securityOpt: i.HostConfig.SecurityOpt,
    log: i.HostConfig.LogConfig,
    mounts: i.Mounts.map((
      m: { Type: string; Name?: string; Destination: string; RW: boolean },
    ) => [m.Type, m.Name ?? "", m.Destination, m.RW]).sort(),
    ip: i.NetworkSettings.Networks[network]?.IPAMConfig,
    aliases: (i.NetworkSettings.Networks[network]?.Aliases ?? []).filter((a: string) =>
      !/^[0-9a-f]{12}$/.test(a)
    ),
  };
}

Deno.test("generated docker run commands recreate the container (simple, intermediate, advanced)", async () => {
  await using bosun = await startBosun();
  const admin = await setupAndLogin(bosun);
  const run = crypto.randomUUID().slice(0, 6);
  const name = `bt-cli-${run}`;
  const network = `bt-cli-net-${run}`;
  const volume = `bt-cli-vol-${run}`;
  const dir = await Deno.makeTempDir({ prefix: "bosun-cli-" });
  const octet = 100 + Math.floor(Math.random() * 100);
  await docker("network", "create", "--subnet", `10.${octet}.33.0/24`, network);
  const hostile = `it's "quoted" $HOME and \`ticks\`\nline 2`;
  const create = [
    "create",
    "--name",
    name,
    "-e",
    `MOTD=${hostile}`,
    "-e",
    "PLAIN=a b",
    "-l",
    `note=${hostile}`,
    "-p",
    "127.0.0.1::8080",
    "-p",
    "127.0.0.1::53/udp",
    "-v",
    `${volume}:/data`,
    "-v",
    `${dir}:/host:ro`,
    "--network",
    network,
    "--ip",
    `10.${octet}.33.7`,
    "--network-alias",
    "app",
    "--restart",
    "on-failure:3",
    "--memory",
    "64m",
    "--cpus",
    "0.5",
    "--pids-limit",
    "50",
    "--security-opt",
    "no-new-privileges",
    "--cap-drop",
    "ALL",
    "--cap-add",
    "CHOWN",
    "--user",
    "0:0",
    "--workdir",
    "/tmp",
    "--log-opt",
    "max-size=1m",
    "--health-cmd",
    "test -d /tmp",
    "--health-interval",
    "5s",
    "--entrypoint",
    "sh",
    TEST_IMAGE,
    "-c",
    'echo "$MOTD"; sleep 3600',
  ];
  try {
    await docker(...create);
    const original = normalised(JSON.parse(await docker("inspect", name))[0], network);
    for (const mode of ["simple", "intermediate", "advanced"] as const) {
      const r = await admin.json<{ cli: string }>(
        "GET",
        `/api/containers/${name}/cli?mode=${mode}`,
      );
      assert.equal(r.status, 200, JSON.stringify(r.body));
      await docker("rm", "-f", name);
      const shell = mode === "advanced" ? "bash" : "sh";
      const out = await new Deno.Command(shell, {
        args: ["-c", r.body.cli],
        stdout: "piped",
        stderr: "piped",
      })
        .output();
      assert.ok(out.success, `${mode}:\n${r.body.cli}\n${new TextDecoder().decode(out.stderr)}`);
      const again = normalised(JSON.parse(await docker("inspect", name))[0], network);
      assert.deepEqual(again, original, `${mode} recreates the same container:\n${r.body.cli}`);
      if (mode !== "advanced") await docker("stop", "-t", "0", name).catch(() => {});
    }
    // The container runs with the hostile value intact.
    const logs = await docker("logs", name);
    assert.equal(logs, `${hostile}\n`);
  } finally {
    await docker("rm", "-f", name).catch(() => {});
    await docker("network", "rm", network).catch(() => {});
    await docker("volume", "rm", "-f", volume).catch(() => {});
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
