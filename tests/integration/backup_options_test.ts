/**
 * Backup choices against the real engine: bind mounts (directory and single file), a volume
 * left out, the image included, pre/post commands (request and labels, the latter only when
 * the admin allows them), remembered choices, the waiting status, and the restore side:
 * binds into new host paths, port conflicts found first, volume overwrite keeping labels,
 * the image loaded from the archive on an engine that lacks it.
 */
import assert from "node:assert/strict";
import { docker, setupAndLogin, sleep, startBosun, TestContainers } from "../_harness.ts";
import { startSecondEngine } from "../_second_engine.ts";

type Job = {
  id: number;
  status: string;
  error: string | null;
  file: string | null;
  warnings: string[];
  waitingFor?: string;
  options: Record<string, unknown>;
};
type Sidecar = {
  manifest: {
    volumes: { name: string; included: boolean; labels: Record<string, string> }[];
    binds: { source: string; included: boolean; member?: string }[];
    image: { included: boolean };
    commands: { pre?: string[]; post?: string[] };
  };
};

/** Member names of a backup, listed by the system tar. */
async function members(path: string): Promise<string[]> {
  const out = await new Deno.Command("tar", { args: ["-tf", path], stdout: "piped" }).output();
  assert.ok(out.success);
  return new TextDecoder().decode(out.stdout).split("\n").filter(Boolean);
}

const LOOP = ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.2; done"];

Deno.test("backup choices: binds, exclusions, commands, remembered options, restore", async (t) => {
  await using bosun = await startBosun();
  await using containers = new TestContainers();
  const admin = await setupAndLogin(bosun);
  const run = containers.runId;
  const kept = `bt-${run}-kept`;
  const left = `bt-${run}-left`;
  const hostDir = await Deno.makeTempDir({ prefix: "bosun-binds-" });
  await Deno.mkdir(`${hostDir}/dir/sub`, { recursive: true });
  await Deno.writeTextFile(`${hostDir}/dir/sub/file.txt`, "bind content\n");
  await Deno.writeTextFile(`${hostDir}/conf.txt`, "single file bind\n");
  await docker("volume", "create", "--label", "keep=me", kept);
  const id = await containers.create("app", {
    args: [
      "-v",
      `${kept}:/a`,
      "-v",
      `${left}:/b`,
      "-v",
      `${hostDir}/dir:/srv/dir`,
      "-v",
      `${hostDir}/conf.txt:/etc/app.conf:ro`,
      "-p",
      "18131:80",
    ],
    command: LOOP,
  });
  await docker("exec", id, "sh", "-c", "echo a > /a/a.txt && echo b > /b/b.txt");
  const vault = `${bosun.dataDir}/backups`;
  let file = "";
  try {
    await t.step("pre command, pause, binds, a volume left out, the image included", async () => {
      const r = await admin.json<Job>("POST", "/api/backups?wait=true", {
        container: id,
        consistency: "pause",
        exclude: [left],
        includeImage: true,
        pre: ["sh", "-c", "echo dumped > /a/dump.txt"],
        post: ["sh", "-c", "touch /a/post-ran"],
      });
      assert.equal(r.body.status, "complete", JSON.stringify(r.body));
      file = r.body.file!;
      const list = await members(`${vault}/${file}`);
      assert.ok(list.includes("volumes/" + kept + "/dump.txt"), "the pre command ran first");
      assert.ok(!list.some((m) => m.startsWith(`volumes/${left}/`)), "the excluded volume");
      const dirMember = `binds/${encodeURIComponent(`${hostDir.slice(1)}/dir`)}`;
      assert.ok(list.includes(`${dirMember}/sub/file.txt`), list.join("\n"));
      assert.ok(list.includes(`binds/${encodeURIComponent(`${hostDir.slice(1)}/conf.txt`)}`));
      assert.ok(list.some((m) => m.startsWith("image/")), "the image's members");
      assert.equal(list.at(-1), "SHA256SUMS");
      const sidecar = JSON.parse(await Deno.readTextFile(`${vault}/${file}.json`)) as Sidecar;
      assert.equal(sidecar.manifest.volumes.find((v) => v.name === left)?.included, false);
      assert.deepEqual(sidecar.manifest.volumes.find((v) => v.name === kept)?.labels, {
        keep: "me",
      });
      assert.equal(sidecar.manifest.image.included, true);
      assert.deepEqual(sidecar.manifest.commands.pre, ["sh", "-c", "echo dumped > /a/dump.txt"]);
      assert.equal((await docker("inspect", "-f", "{{.State.Status}}", id)).trim(), "running");
      await docker("exec", id, "test", "-e", "/a/post-ran"); // the post command ran
      const v = await admin.json<{ ok: boolean }>("POST", `/api/backups/${file}/verify`);
      assert.equal(v.body.ok, true, JSON.stringify(v.body));
    });

    await t.step("the choices are remembered for the container's next backup", async () => {
      const prefs = await admin.json<Record<string, unknown>>(
        "GET",
        `/api/backups/preferences/${id}`,
      );
      assert.equal(prefs.body.consistency, "pause");
      assert.deepEqual(prefs.body.exclude, [left]);
      const done = await admin.json<Job>("POST", "/api/backups?wait=true", { container: id });
      assert.equal(done.body.status, "complete", JSON.stringify(done.body));
      assert.equal(done.body.options.consistency, "pause");
      assert.deepEqual(done.body.options.exclude, [left]);
    });

    await t.step("a failing pre command fails the backup; nothing is written", async () => {
      const before = [...Deno.readDirSync(vault)].length;
      const r = await admin.json<Job>("POST", "/api/backups?wait=true", {
        container: id,
        pre: ["sh", "-c", "echo no database >&2; exit 3"],
        remember: false,
      });
      assert.equal(r.body.status, "failed");
      assert.match(r.body.error!, /exited with 3: no database/);
      assert.equal([...Deno.readDirSync(vault)].length, before);
      assert.equal((await docker("inspect", "-f", "{{.State.Status}}", id)).trim(), "running");
    });

    await t.step("label commands run only once the admin has enabled them", async () => {
      const labelled = await containers.create("labelled", {
        args: [
          "-v",
          `bt-${run}-lv:/l`,
          "--label",
          `bosun.backup.pre=["sh","-c","echo from-label > /l/label.txt"]`,
        ],
        command: LOOP,
      });
      const backup = () =>
        admin.json<Job>("POST", "/api/backups?wait=true", { container: labelled });
      assert.equal((await backup()).body.status, "complete");
      assert.equal(
        (await docker("exec", labelled, "sh", "-c", "ls /l")).trim(),
        "",
        "no exec while label commands are off",
      );
      const s = await admin.json("PATCH", "/api/settings", { backupLabelCommands: true });
      assert.equal(s.status, 200, JSON.stringify(s.body));
      const r = await backup();
      assert.equal(r.body.status, "complete", JSON.stringify(r.body));
      assert.ok(
        (await members(`${vault}/${r.body.file}`)).includes(`volumes/bt-${run}-lv/label.txt`),
      );
      await admin.json("PATCH", "/api/settings", { backupLabelCommands: false });
      await docker("rm", "-f", labelled);
      await docker("volume", "rm", "-f", `bt-${run}-lv`);
    });

    await t.step("a backup waits while the container is being recreated", async () => {
      const slow = await containers.create("slow", { command: ["sleep", "3600"] }); // ignores TERM
      const recreate = admin.json("POST", `/api/containers/${slow}/recreate?t=2`);
      await sleep(300);
      const queued = await admin.json<Job>("POST", "/api/backups", {
        container: `bt-${run}-slow`,
        remember: false,
      });
      let seen: Job | undefined;
      for (let i = 0; i < 40 && !seen; i++) {
        const job = (await admin.json<Job>("GET", `/api/backups/jobs`)).body as unknown as Job[];
        const mine = job.find((j) => j.id === queued.body.id);
        if (mine?.status === "waiting") seen = mine;
        else await sleep(50);
      }
      assert.equal(seen?.waitingFor, "recreate", "the job showed it was waiting");
      assert.equal((await recreate).status, 200);
      for (let i = 0; i < 100; i++) {
        const job = (await admin.json<Job[]>("GET", "/api/backups/jobs")).body
          .find((j) => j.id === queued.body.id)!;
        if (job.status === "complete") break;
        assert.notEqual(job.status, "failed", job.error ?? "");
        await sleep(100);
      }
    });

    await t.step("restore: a port in use is reported before anything changes", async () => {
      const name = `bt-${run}-copy`;
      const r = await admin.json<{ detail: string }>("POST", `/api/backups/${file}/restore`, {
        name,
      });
      assert.equal(r.status, 409);
      assert.match(r.body.detail, /host port 18131\/tcp is used by "bt-[^"]+-app"/);
      assert.equal((await docker("ps", "-aq", "--filter", `name=${name}`)).trim(), "");
      assert.equal((await docker("volume", "ls", "-q", "--filter", `name=${name}`)).trim(), "");
    });

    await t.step("restore binds into new host paths, with a port override", async () => {
      const name = `bt-${run}-copy`;
      const target = `${hostDir}/restored/dir`;
      const r = await admin.json<{ id: string; binds: unknown[]; image: string }>(
        "POST",
        `/api/backups/${file}/restore`,
        {
          name,
          ports: { "80/tcp": 18132 },
          binds: {
            [`${hostDir}/dir`]: { mode: "restore", target },
            [`${hostDir}/conf.txt`]: { mode: "restore", target: `${hostDir}/restored/app.conf` },
          },
        },
      );
      assert.equal(r.status, 200, JSON.stringify(r.body));
      await docker("update", "--label-add", containers.label, r.body.id).catch(() => {});
      assert.equal(await Deno.readTextFile(`${target}/sub/file.txt`), "bind content\n");
      assert.equal(
        await Deno.readTextFile(`${hostDir}/restored/app.conf`),
        "single file bind\n",
      );
      assert.equal(
        (await docker("exec", r.body.id, "cat", "/srv/dir/sub/file.txt")).trim(),
        "bind content",
        "the restored container mounts the new path",
      );
      assert.equal(
        (await docker("exec", r.body.id, "cat", "/etc/app.conf")).trim(),
        "single file bind",
      );
      await docker("rm", "-f", r.body.id);
      await docker("volume", "rm", "-f", `${name}_${kept}`).catch(() => {});
    });

    await t.step("overwrite: refused while in use; then recreated empty, labels kept", async () => {
      const refused = await admin.json<{ detail: string }>(
        "POST",
        `/api/backups/${file}/restore`,
        { name: `bt-${run}-over`, volumes: { [kept]: { mode: "overwrite" } } },
      );
      assert.equal(refused.status, 409);
      assert.match(refused.body.detail, /is in use by "bt-[^"]+-app"/);
      assert.equal((await docker("exec", id, "cat", "/a/a.txt")).trim(), "a", "unchanged");
      await docker("rm", "-f", id);
      await docker(
        "run",
        "--rm",
        "-v",
        `${kept}:/a`,
        "bosun-test/busybox:latest",
        "sh",
        "-c",
        "echo x > /a/stray",
      );
      const r = await admin.json<{ id: string }>("POST", `/api/backups/${file}/restore`, {
        volumes: { [kept]: { mode: "overwrite" } },
        ports: { "80/tcp": 18133 },
      });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      await docker("update", "--label-add", containers.label, r.body.id).catch(() => {});
      const files = (await docker("exec", r.body.id, "ls", "/a")).trim().split("\n").sort();
      assert.deepEqual(files, ["a.txt", "dump.txt"], "the stray file did not linger");
      const labels = (await docker("volume", "inspect", "-f", "{{json .Labels}}", kept)).trim();
      assert.equal(labels, `{"keep":"me"}`);
    });
  } finally {
    await docker("rm", "-f", `bt-${run}-app`).catch(() => {});
    for (const v of [kept, left, `bt-${run}-lv`]) {
      await docker("volume", "rm", "-f", v).catch(() => {});
    }
    await Deno.remove(hostDir, { recursive: true }).catch(() => {});
  }
});

Deno.test("an included image is loaded on an engine that lacks it", async () => {
  await using engine = await startSecondEngine();
  await using bosun = await startBosun({ dockerHost: engine.host });
  const admin = await setupAndLogin(bosun);
  const on = (...args: string[]) => docker("-H", engine.host, ...args);
  const name = `bt-img-${crypto.randomUUID().slice(0, 6)}`;
  const id = (await on("run", "-d", "--name", name, "bosun-test/busybox:latest", ...LOOP)).trim();
  try {
    const r = await admin.json<Job>("POST", "/api/backups?wait=true", {
      container: id,
      includeImage: true,
    });
    assert.equal(r.body.status, "complete", JSON.stringify(r.body));
    await on("rm", "-f", id);
    await on("rmi", "-f", "bosun-test/busybox:latest");
    assert.equal((await on("images", "-q", "bosun-test/busybox")).trim(), "");
    const restored = await admin.json<{ id: string; image: string }>(
      "POST",
      `/api/backups/${r.body.file}/restore`,
      {},
    );
    assert.equal(restored.status, 200, JSON.stringify(restored.body));
    assert.equal(restored.body.image, "loaded");
    assert.equal((await on("inspect", "-f", "{{.State.Status}}", name)).trim(), "running");
    assert.notEqual((await on("images", "-q", "bosun-test/busybox:latest")).trim(), "");
  } finally {
    await on("rm", "-f", name).catch(() => {});
  }
});
