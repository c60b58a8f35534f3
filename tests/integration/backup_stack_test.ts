/**
 * Stack and network backups against the real engine: a compose project (two services on
 * their own network, a shared volume) backed up in one archive with the whole stack stopped,
 * restored after everything was removed; a network definition backed up, restored, uploaded.
 */
import assert from "node:assert/strict";
import { docker, setupAndLogin, startBosun } from "../_harness.ts";

type Job = { status: string; file: string | null; error: string | null };

const LOOP = ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.2; done"];

async function members(path: string): Promise<string[]> {
  const out = await new Deno.Command("tar", { args: ["-tf", path], stdout: "piped" }).output();
  return new TextDecoder().decode(out.stdout).split("\n").filter(Boolean);
}

Deno.test("a compose stack: one archive, stopped together, restored whole", async () => {
  await using bosun = await startBosun();
  const admin = await setupAndLogin(bosun);
  const project = `bt${crypto.randomUUID().slice(0, 6)}`;
  const network = `${project}_default`;
  // "zdb" sorts last by name but must be created first: "app" depends on it.
  const names = [`${project}-zdb-1`, `${project}-app-1`];
  const volumes = [`${project}_db`, `${project}_shared`];
  const service = (svc: string, extra: string[]) => [
    "run",
    "-d",
    "--name",
    `${project}-${svc}-1`,
    "--network",
    network,
    "--label",
    `com.docker.compose.project=${project}`,
    "--label",
    `com.docker.compose.service=${svc}`,
    ...extra,
    "bosun-test/busybox:latest",
    ...LOOP,
  ];
  const cleanup = async () => {
    await docker("rm", "-f", ...names).catch(() => {});
    await docker("volume", "rm", "-f", ...volumes).catch(() => {});
    await docker("network", "rm", network).catch(() => {});
  };
  await docker("network", "create", "--label", `com.docker.compose.project=${project}`, network);
  try {
    await docker(...service("zdb", ["-v", `${volumes[0]}:/db`, "-v", `${volumes[1]}:/shared`]));
    await docker(
      ...service("app", [
        "-v",
        `${volumes[1]}:/shared`,
        "--label",
        "com.docker.compose.depends_on=zdb:service_started:false",
      ]),
    );
    await docker("exec", names[0], "sh", "-c", "echo rows > /db/table && echo s > /shared/s");
    const r = await admin.json<Job>("POST", "/api/backups?wait=true", {
      stack: project,
      consistency: "stop",
    });
    assert.equal(r.body.status, "complete", JSON.stringify(r.body));
    for (const n of names) {
      assert.equal((await docker("inspect", "-f", "{{.State.Status}}", n)).trim(), "running");
    }
    const file = r.body.file!;
    assert.match(file, new RegExp(`__stack-${project}__`));
    const list = await members(`${bosun.dataDir}/backups/${file}`);
    assert.equal(list[0], "manifest.json");
    for (const n of names) assert.ok(list.includes(`containers/${n}/container.json`), n);
    assert.ok(list.includes(`networks/${network}.json`));
    assert.equal(list.filter((m) => m === `volumes/${volumes[1]}/s`).length, 1, "once");
    assert.equal(
      (await admin.json<{ ok: boolean }>("POST", `/api/backups/${file}/verify`)).body.ok,
      true,
    );

    const conflict = await admin.json<{ detail: string }>(
      "POST",
      `/api/backups/${file}/restore`,
      {},
    );
    assert.equal(conflict.status, 409, "its containers still exist");
    await cleanup();

    const restored = await admin.json<
      { containers: { name: string }[]; networksCreated: string[] }
    >(
      "POST",
      `/api/backups/${file}/restore`,
      {},
    );
    assert.equal(restored.status, 200, JSON.stringify(restored.body));
    assert.deepEqual(restored.body.containers.map((c) => c.name), names, "zdb before app");
    assert.deepEqual(restored.body.networksCreated, [network]);
    for (const n of names) {
      assert.equal((await docker("inspect", "-f", "{{.State.Status}}", n)).trim(), "running");
    }
    assert.equal((await docker("exec", names[0], "cat", "/db/table")).trim(), "rows");
    assert.equal((await docker("exec", names[1], "cat", "/shared/s")).trim(), "s");
    const label = (await docker(
      "network",
      "inspect",
      "-f",
      `{{index .Labels "com.docker.compose.project"}}`,
      network,
    )).trim();
    assert.equal(label, project);
  } finally {
    await cleanup();
  }
});

Deno.test("a network definition: backed up, restored, uploaded; bad JSON refused", async () => {
  await using bosun = await startBosun();
  const admin = await setupAndLogin(bosun);
  const name = `bt-net-${crypto.randomUUID().slice(0, 6)}`;
  const octet = 100 + Math.floor(Math.random() * 100);
  await docker(
    "network",
    "create",
    "--subnet",
    `10.${octet}.77.0/24`,
    "--gateway",
    `10.${octet}.77.1`,
    "--label",
    "tier=web",
    "--opt",
    "com.docker.network.driver.mtu=1400",
    name,
  );
  try {
    const b = await admin.json<{ file: string }>("POST", "/api/backups/networks", {
      network: name,
    });
    assert.equal(b.status, 201, JSON.stringify(b.body));
    const builtIn = await admin.json("POST", "/api/backups/networks", { network: "bridge" });
    assert.equal(builtIn.status, 400);
    const download = await admin.req("GET", `/api/backups/networks/${b.body.file}/download`);
    const text = await download.text();
    await docker("network", "rm", name);

    const r = await admin.json<{ name: string }>(
      "POST",
      `/api/backups/networks/${b.body.file}/restore`,
      {},
    );
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const inspect = JSON.parse(await docker("network", "inspect", name))[0];
    assert.equal(inspect.IPAM.Config[0].Subnet, `10.${octet}.77.0/24`);
    assert.equal(inspect.Labels.tier, "web");
    assert.equal(inspect.Options["com.docker.network.driver.mtu"], "1400");
    const again = await admin.json("POST", `/api/backups/networks/${b.body.file}/restore`, {});
    assert.equal(again.status, 409);

    assert.equal((await admin.json("DELETE", `/api/backups/networks/${b.body.file}`)).status, 204);
    const up = await admin.json<{ kind: string; file: string }>(
      "POST",
      "/api/backups/upload",
      new TextEncoder().encode(text),
    );
    assert.equal(up.status, 201, JSON.stringify(up.body));
    assert.equal(up.body.kind, "network");
    const listed = await admin.json<{ file: string }[]>("GET", "/api/backups/networks");
    assert.ok(listed.body.some((n) => n.file === b.body.file));
    const bad = await admin.json<{ detail: string }>(
      "POST",
      "/api/backups/upload",
      new TextEncoder().encode(JSON.stringify({ format: "bosun-network-backup", network: {} })),
    );
    assert.equal(bad.status, 400);
    assert.match(bad.body.detail, /Not a network backup/);
  } finally {
    await docker("network", "rm", name).catch(() => {});
  }
});
