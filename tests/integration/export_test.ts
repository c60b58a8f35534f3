/**
 * Exports re-create equivalent containers: a container's export is unpacked, the original
 * removed, and its `run.sh` run with the Docker CLI — then its `compose.yaml` deployed
 * through Bosun's stacks — each compared with the original's normalised inspect. Secrets stay
 * out unless asked for; the bulk export has its folders, inventory and network script.
 */
import assert from "node:assert/strict";
import { unpackTar } from "modern-tar";
import { docker, setupAndLogin, sleep, startBosun, TEST_IMAGE } from "../_harness.ts";

// deno-lint-ignore no-explicit-any
function normalised(i: any, network: string) {
  const labels = Object.fromEntries(
    Object.entries(i.Config.Labels as Record<string, string>).filter(([k]) =>
      !k.startsWith("com.docker.compose.")
    ),
  );
  return {
    name: i.Name,
    env: [...i.Config.Env].sort(),
    labels,
    cmd: i.Config.Cmd,
    ports: i.HostConfig.PortBindings,
    restart: i.HostConfig.RestartPolicy,
    memory: i.HostConfig.Memory,
    cpus: i.HostConfig.NanoCpus,
    pids: i.HostConfig.PidsLimit,
    securityOpt: i.HostConfig.SecurityOpt,
    log: i.HostConfig.LogConfig,
    mounts: i.Mounts.map((
      m: { Type: string; Name?: string; Destination: string },
    ) => [m.Type, m.Name ?? "", m.Destination]).sort(),
    ip: i.NetworkSettings.Networks[network]?.IPAMConfig?.IPv4Address,
  };
}

async function files(res: Response): Promise<Map<string, string>> {
  assert.equal(res.status, 200, await res.clone().text());
  const tar = new Uint8Array(
    await new Response(res.body!.pipeThrough(new DecompressionStream("gzip"))).arrayBuffer(),
  );
  return new Map(
    (await unpackTar(tar)).map((e) => [e.header.name, new TextDecoder().decode(e.data)]),
  );
}

Deno.test("export: run.sh and compose.yaml re-create the container; secrets only when asked", async (t) => {
  await using bosun = await startBosun();
  const admin = await setupAndLogin(bosun);
  const run = crypto.randomUUID().slice(0, 6);
  const name = `bt-export-${run}`;
  const network = `bt-export-net-${run}`;
  const volume = `bt-export-vol-${run}`;
  const octet = 100 + Math.floor(Math.random() * 100);
  await docker("network", "create", "--subnet", `10.${octet}.44.0/24`, network);
  await docker(
    "run",
    "-d",
    "--name",
    name,
    "-e",
    "GREETING=hello $USER 'there'",
    "-e",
    'DB_PASSWORD=s3cr3t "quoted"',
    "-l",
    "bosun.environment=DEV",
    "-p",
    "127.0.0.1::8080",
    "-v",
    `${volume}:/data`,
    "--network",
    network,
    "--ip",
    `10.${octet}.44.20`,
    "--restart",
    "unless-stopped",
    "--memory",
    "64m",
    "--cpus",
    "0.5",
    "--pids-limit",
    "50",
    "--security-opt",
    "no-new-privileges",
    "--log-opt",
    "max-size=1m",
    TEST_IMAGE,
    "sleep",
    "3600",
  );
  const dir = await Deno.makeTempDir({ prefix: "bosun-export-" });
  try {
    const original = normalised(JSON.parse(await docker("inspect", name))[0], network);

    await t.step("without secrets: .env.example, masked config; with: .env", async () => {
      const plain = await files(await admin.req("GET", `/api/containers/${name}/export`));
      assert.deepEqual([...plain.keys()].sort(), [
        `${name}/.env.example`,
        `${name}/README.md`,
        `${name}/compose.yaml`,
        `${name}/config.json`,
        `${name}/run.sh`,
      ]);
      assert.ok(![...plain.values()].some((v) => v.includes("s3cr3t")), "no secret anywhere");
      assert.equal(plain.get(`${name}/.env.example`), "DB_PASSWORD=\n");
      const readme = plain.get(`${name}/README.md`)!;
      assert.match(readme, /Environment: \*\*DEV\*\*/);
      assert.match(readme, new RegExp(`volume \`${volume}\` → \`/data\``));
      assert.match(readme, /tar -czf/);
      const full = await files(
        await admin.req("GET", `/api/containers/${name}/export?secrets=true`),
      );
      assert.equal(full.get(`${name}/.env`), 'DB_PASSWORD=s3cr3t "quoted"\n');
      for (const [path, text] of full) {
        const target = `${dir}/${path.split("/").slice(1).join("/")}`;
        await Deno.writeTextFile(target, text);
      }
      const audit = await admin.json<{ details: { secrets: boolean } }[]>(
        "GET",
        `/api/audit?action=container.export`,
      );
      assert.deepEqual(audit.body.map((a) => a.details.secrets).sort(), [false, true]);
    });

    await t.step("run.sh re-creates an equivalent container", async () => {
      await docker("rm", "-f", name);
      const out = await new Deno.Command("bash", {
        args: [`${dir}/run.sh`],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.ok(out.success, new TextDecoder().decode(out.stderr));
      const again = normalised(JSON.parse(await docker("inspect", name))[0], network);
      assert.deepEqual(again, original);
    });

    await t.step("compose.yaml through Bosun's stack deploy re-creates it too", async () => {
      await docker("rm", "-f", name);
      const stack = `btexp${run}`;
      const saved = await admin.json("PUT", `/api/stacks/${stack}`, {
        compose: await Deno.readTextFile(`${dir}/compose.yaml`),
        env: await Deno.readTextFile(`${dir}/.env`),
      });
      assert.equal(saved.status, 200, JSON.stringify(saved.body));
      const job = await admin.json<{ id: number }>("POST", `/api/stacks/${stack}/deploy`);
      let state = { status: "running", error: "" };
      for (let i = 0; i < 100 && state.status === "running"; i++) {
        await sleep(200);
        state = (await admin.json<typeof state>("GET", `/api/stacks/jobs/${job.body.id}`)).body;
      }
      assert.equal(state.status, "complete", JSON.stringify(state));
      const again = normalised(JSON.parse(await docker("inspect", name))[0], network);
      assert.deepEqual(again, original);
    });

    await t.step(
      "bulk export of one environment: folders, inventory, networks script",
      async () => {
        const bulk = await files(await admin.req("GET", "/api/exports?environment=DEV"));
        assert.ok(bulk.has(`DEV/${name}/run.sh`), [...bulk.keys()].join());
        assert.ok(![...bulk.keys()].some((k) => k.startsWith("PRD/")));
        assert.match(bulk.get("MASTER-INVENTORY.md")!, new RegExp(`\\| DEV \\| ${name} \\|`));
        assert.match(
          bulk.get("create-networks.sh")!,
          new RegExp(
            `docker network create --subnet 10\\.${octet}\\.44\\.0/24 (--gateway \\S+ )?${network}`,
          ),
        );
        assert.equal((await admin.json("GET", "/api/exports?environment=NOPE")).status, 400);
      },
    );
  } finally {
    await docker("rm", "-f", name).catch(() => {});
    await docker("network", "rm", network).catch(() => {});
    await docker("volume", "rm", "-f", volume).catch(() => {});
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
