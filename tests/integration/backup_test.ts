/** Backup and restore round trips against real engines, byte-exact. */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createTarDecoder } from "modern-tar";
import { docker, setupAndLogin, startBosun, TestContainers } from "../_harness.ts";
import { startSecondEngine } from "../_second_engine.ts";

/** Every member of `docker cp <container>:/data -`: header fields and content hash. */
async function snapshot(container: string, host?: string): Promise<string[]> {
  const args = [...(host ? ["-H", host] : []), "cp", `${container}:/data`, "-"];
  const child = new Deno.Command("docker", { args, stdout: "piped", stderr: "null" }).spawn();
  const lines: string[] = [];
  for await (const entry of child.stdout.pipeThrough(createTarDecoder())) {
    const h = entry.header;
    const hash = createHash("sha256");
    for await (const chunk of entry.body) hash.update(chunk);
    const isRoot = h.name === "data/";
    lines.push(JSON.stringify([
      h.name,
      h.type ?? "file",
      h.mode,
      h.uid,
      h.gid,
      h.size,
      h.linkname ?? "",
      isRoot ? "(root mtime)" : h.mtime?.getTime(), // the volume root's own mtime changes on write
      hash.digest("hex"),
    ]));
  }
  await child.status;
  return lines.sort();
}

const FILL = [
  "mkdir -p /data/dir/empty /data/ünï/cödé",
  "echo hello > /data/dir/a.txt && chown 1000:2000 /data/dir/a.txt && chmod 640 /data/dir/a.txt",
  "printf 'spaces' > '/data/name with spaces.txt'",
  "printf 'new' > '/data/new\nline'",
  "printf 'back' > '/data/back\\\\slash'",
  "echo unicode > /data/ünï/cödé/ファイル.txt",
  "ln -s dir/a.txt /data/link && ln -s /nowhere /data/dangling",
  "ln /data/dir/a.txt /data/hard",
  "dd if=/dev/urandom of=/data/big.bin bs=1048576 count=200 2>/dev/null",
  "touch -d '2001-02-03 04:05:06' /data/dir/a.txt",
  "chmod 4755 /data/name\\ with\\ spaces.txt",
].join(" && ");

Deno.test("backup → verify → restore is byte-exact, here and on another engine", async (t) => {
  await using bosun = await startBosun();
  await using containers = new TestContainers();
  const admin = await setupAndLogin(bosun);
  const run = containers.runId;
  const volume = `bt-${run}-data`;
  const id = await containers.create("app", {
    args: ["-v", `${volume}:/data`, "-p", "18121:80"],
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.2; done"],
  });
  await docker("exec", id, "sh", "-c", FILL);
  const before = await snapshot(id);
  const created: string[] = [volume];
  try {
    let file = "";
    await t.step("backup with stop consistency restarts the container afterwards", async () => {
      const r = await admin.json<{ file: string; status: string }>(
        "POST",
        "/api/backups?wait=true",
        {
          container: id,
          compression: "zstd",
          consistency: "stop",
        },
      );
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.status, "complete", JSON.stringify(r.body));
      file = r.body.file;
      assert.match(file, new RegExp(`__bt-${run}-app__\\d{8}T\\d{6}Z\\.tar\\.zst$`));
      assert.equal((await docker("inspect", "-f", "{{.State.Status}}", id)).trim(), "running");
      const list = await admin.json<{ file: string }[]>("GET", "/api/backups");
      assert.ok(list.body.some((b) => b.file === file));
    });

    await t.step("tar and sha256sum verify it with no Bosun at all", async () => {
      const dir = await Deno.makeTempDir();
      try {
        const vault = `${bosun.dataDir}/backups`;
        const x = await new Deno.Command("sh", {
          args: [
            "-c",
            `zstd -dc '${vault}/${file}' | tar -x -C '${dir}' && cd '${dir}' && sha256sum -c SHA256SUMS`,
          ],
          stdout: "piped",
          stderr: "piped",
        }).output();
        const out = new TextDecoder().decode(x.stdout);
        assert.ok(x.success, new TextDecoder().decode(x.stderr) + out);
        assert.match(out, /big\.bin: OK/);
        assert.match(out, /new\\nline: OK/);
        assert.doesNotMatch(out, /FAILED/);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    });

    await t.step("verify passes", async () => {
      const r = await admin.json<{ ok: boolean; checked: number }>(
        "POST",
        `/api/backups/${file}/verify`,
      );
      assert.equal(r.body.ok, true, JSON.stringify(r.body));
      assert.ok(r.body.checked >= 8);
    });

    await t.step(
      "restore under a new name while the original runs, with a port override",
      async () => {
        const name = `bt-${run}-copy`;
        const r = await admin.json<{ id: string; volumes: { to: string }[] }>(
          "POST",
          `/api/backups/${file}/restore`,
          { name, ports: { "80/tcp": 18122 } },
        );
        assert.equal(r.status, 200, JSON.stringify(r.body));
        created.push(...r.body.volumes.map((v) => v.to));
        await docker("update", "--label-add", containers.label, r.body.id).catch(() => {});
        assert.deepEqual(await snapshot(r.body.id), before, "every file, mode, owner, mtime, link");
        const ports = (await docker("port", r.body.id)).trim();
        assert.match(ports, /18122/);
        assert.equal((await docker("inspect", "-f", "{{.State.Status}}", id)).trim(), "running");
        await docker("rm", "-f", r.body.id);
      },
    );

    await t.step("restore on a second engine: the migration path", async () => {
      await using engine = await startSecondEngine();
      await using other = await startBosun({ dockerHost: engine.host });
      await Deno.mkdir(`${other.dataDir}/backups`, { recursive: true });
      for (const f of [file, `${file}.json`]) {
        await Deno.copyFile(`${bosun.dataDir}/backups/${f}`, `${other.dataDir}/backups/${f}`);
      }
      const admin2 = await setupAndLogin(other);
      const r = await admin2.json<{ id: string; droppedNetworks: string[] }>(
        "POST",
        `/api/backups/${file}/restore`,
        {},
      );
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual(await snapshot(r.body.id, engine.host), before);
    });

    await t.step("one flipped byte: verify reports it, restore refuses", async () => {
      const path = `${bosun.dataDir}/backups/${file}`;
      const data = await Deno.readFile(path);
      data[Math.floor(data.length / 3)] ^= 0x10;
      await Deno.writeFile(path, data);
      const v = await admin.json<{ ok: boolean; error: string }>(
        "POST",
        `/api/backups/${file}/verify`,
      );
      assert.equal(v.body.ok, false);
      assert.match(v.body.error, /damaged|differs|do not match/);
      const r = await admin.json<{ detail: string }>("POST", `/api/backups/${file}/restore`, {
        name: `bt-${run}-never`,
      });
      assert.equal(r.status, 409);
      assert.match(r.body.detail, /fails verification/);
      assert.equal((await docker("ps", "-aq", "--filter", `name=bt-${run}-never`)).trim(), "");
    });

    await t.step("download, then delete removes the file and its sidecar", async () => {
      const res = await admin.req("GET", `/api/backups/${file}/download`);
      assert.equal(res.status, 200);
      assert.equal(
        res.headers.get("Content-Disposition"),
        `attachment; filename="${file}"; filename*=UTF-8''${file}`,
      );
      const bytes = new Uint8Array(await res.arrayBuffer());
      assert.equal(bytes.length, (await Deno.stat(`${bosun.dataDir}/backups/${file}`)).size);
      assert.equal((await admin.json("DELETE", `/api/backups/${file}`)).status, 204);
      await assert.rejects(Deno.stat(`${bosun.dataDir}/backups/${file}.json`));
      assert.equal((await admin.json("DELETE", `/api/backups/${file}`)).status, 404);
      for (const bad of ["..%2Fbosun.db", "x.tar.gz.json", "a%0Ab.tar.gz"]) {
        assert.equal((await admin.json("POST", `/api/backups/${bad}/verify`)).status, 400, bad);
      }
    });

    await t.step("every backup action is audited", async () => {
      const audit = await admin.json<{ action: string; result: string }[]>(
        "GET",
        "/api/audit?action=backup.",
      );
      const seen = new Set(audit.body.map((a) => `${a.action}:${a.result}`));
      for (
        const a of [
          "create:success",
          "verify:success",
          "verify:failure",
          "restore:success",
          "restore:failure",
          "download:success",
          "delete:success",
        ]
      ) assert.ok(seen.has(`backup.${a}`), a);
    });
  } finally {
    await docker("rm", "-f", `bt-${run}-app`).catch(() => {});
    for (const v of created) await docker("volume", "rm", "-f", v).catch(() => {});
  }
});
