/**
 * The vault over HTTP with a real engine: verified state kept, preview without extracting,
 * Range downloads, download links (public, scoped, revocable, never an API credential,
 * never logged), uploads (round trip and every hostile case), delete all.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { packTar } from "modern-tar";
import { Client, docker, setupAndLogin, startBosun, TestContainers } from "../_harness.ts";

type Backup = { file: string; size: number; verified: { ok: boolean; at: string } | null };
type Job = { status: string; file: string | null; error: string | null };

/** A gzip archive shaped like a backup, with the given extra members and a correct SHA256SUMS. */
async function craft(extra: { name: string; type?: string; linkname?: string; body?: string }[]) {
  const manifest = JSON.stringify({
    format: "bosun-backup",
    formatVersion: 1,
    tool: "test",
    server: "elsewhere",
    created: new Date().toISOString(),
    type: "manual",
    consistency: "live",
    container: {
      id: "x",
      name: "crafted",
      image: "i",
      imageId: "sha256:1",
      imageDigests: [],
      state: "exited",
    },
    volumes: [],
    binds: [],
    image: { included: false },
  });
  const members = [
    { name: "manifest.json", body: manifest },
    { name: "container.json", body: "{}" },
    ...extra,
  ];
  let sums = "";
  for (const m of members) {
    if (m.type && m.type !== "file") continue;
    sums += `${createHash("sha256").update(m.body ?? "").digest("hex")}  ${m.name}\n`;
  }
  members.push({ name: "SHA256SUMS", body: sums });
  return gzipSync(
    await packTar(members.map((m) => ({
      header: {
        name: m.name,
        size: m.body ? new TextEncoder().encode(m.body).length : 0,
        type: m.type as "file",
        linkname: m.linkname,
      },
      body: m.body,
    }))),
  );
}

async function vaultNames(dataDir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(`${dataDir}/backups`)) names.push(e.name);
  return names.sort();
}

Deno.test("the vault: verified state, preview, Range, links, uploads, delete all", async (t) => {
  await using bosun = await startBosun({
    args: ["--upload-max", "2MiB", "--upload-max-unpacked", "8MiB", "--uploads-per-hour", "12"],
  });
  await using containers = new TestContainers();
  const admin = await setupAndLogin(bosun);
  const volume = `bt-${containers.runId}-vault`;
  const id = await containers.create("vault", { args: ["-v", `${volume}:/data`] });
  await docker(
    "exec",
    id,
    "sh",
    "-c",
    "mkdir -p /data/d && echo one > /data/d/one.txt && head -c 300000 /dev/urandom > /data/r.bin",
  );
  const r = await admin.json<Job>("POST", "/api/backups?wait=true", { container: id });
  assert.equal(r.body.status, "complete", JSON.stringify(r.body));
  const file = r.body.file!;
  const path = `${bosun.dataDir}/backups/${file}`;
  const original = await Deno.readFile(path);
  try {
    await t.step("verification is recorded and listed", async () => {
      const before = await admin.json<Backup[]>("GET", "/api/backups");
      assert.equal(before.body.find((b) => b.file === file)?.verified, null);
      assert.equal((await admin.json("POST", `/api/backups/${file}/verify`)).status, 200);
      const after = await admin.json<Backup[]>("GET", "/api/backups");
      assert.equal(after.body.find((b) => b.file === file)?.verified?.ok, true);
    });

    await t.step("preview lists each volume's tree without extracting", async () => {
      const p = await admin.json<{
        manifest: { container: { name: string } };
        trees: Record<string, { path: string; type: string; size: number }[]>;
        truncated: boolean;
      }>("GET", `/api/backups/${file}/preview`);
      assert.equal(p.status, 200, JSON.stringify(p.body));
      const tree = p.body.trees[`volumes/${volume}`];
      assert.ok(tree.some((e) => e.path === "d/one.txt" && e.size === 4), JSON.stringify(tree));
      assert.ok(tree.some((e) => e.path === "r.bin" && e.size === 300000));
      assert.equal(p.body.truncated, false);
      const small = await admin.json<{ truncated: boolean }>(
        "GET",
        `/api/backups/${file}/preview?limit=1`,
      );
      assert.equal(small.body.truncated, true);
    });

    await t.step("Range: a resumed download gets exactly the rest", async () => {
      const res = await admin.req("GET", `/api/backups/${file}/download`, undefined, {
        Range: "bytes=100-",
      });
      assert.equal(res.status, 206);
      assert.equal(
        res.headers.get("Content-Range"),
        `bytes 100-${original.length - 1}/${original.length}`,
      );
      assert.deepEqual(new Uint8Array(await res.arrayBuffer()), original.subarray(100));
      const tail = await admin.req("GET", `/api/backups/${file}/download`, undefined, {
        Range: "bytes=-10",
      });
      assert.deepEqual(new Uint8Array(await tail.arrayBuffer()), original.subarray(-10));
      const bad = await admin.req("GET", `/api/backups/${file}/download`, undefined, {
        Range: `bytes=${original.length}-`,
      });
      await bad.body?.cancel();
      assert.equal(bad.status, 416);
      assert.equal(bad.headers.get("Content-Range"), `bytes */${original.length}`);
    });

    await t.step("a download link works without a session, only for its file", async () => {
      const link = await admin.json<{ id: string; token: string; path: string; expiresAt: string }>(
        "POST",
        `/api/backups/${file}/links`,
        { expiresInHours: 1 },
      );
      assert.equal(link.status, 201, JSON.stringify(link.body));
      const hours = (Date.parse(link.body.expiresAt) - Date.now()) / 3_600_000;
      assert.ok(hours > 0.9 && hours <= 1, String(hours));
      const anonymous = new Client(bosun.url);
      const res = await anonymous.req("GET", link.body.path);
      assert.equal(res.status, 200);
      assert.match(res.headers.get("Content-Disposition")!, /^attachment; filename="/);
      assert.deepEqual(new Uint8Array(await res.arrayBuffer()), original);
      const api = await anonymous.req("GET", "/api/backups", undefined, {
        Authorization: `Bearer ${link.body.token}`,
      });
      await api.body?.cancel();
      assert.equal(api.status, 401, "a link token is not an API credential");
      const listed = await admin.json<Record<string, unknown>[]>("GET", "/api/backups/links");
      assert.ok(listed.body.some((l) => l.id === link.body.id && l.active === true));
      assert.ok(!JSON.stringify(listed.body).includes(link.body.token), "tokens never listed");
      assert.equal((await admin.json("DELETE", `/api/backups/links/${link.body.id}`)).status, 200);
      const revoked = await anonymous.req("GET", link.body.path);
      await revoked.body?.cancel();
      assert.equal(revoked.status, 404);
      const guessed = await anonymous.req("GET", `/dl/${"A".repeat(43)}`);
      await guessed.body?.cancel();
      assert.equal(guessed.status, 404);
      assert.ok(!bosun.logs().includes(link.body.token), "the token is never logged");
    });

    await t.step("upload: a downloaded backup comes back verified", async () => {
      assert.equal((await admin.json("DELETE", `/api/backups/${file}`)).status, 204);
      const up = await admin.json<{ file: string; sha256: string }>(
        "POST",
        "/api/backups/upload",
        original,
      );
      assert.equal(up.status, 201, JSON.stringify(up.body));
      assert.equal(up.body.file, file);
      assert.equal(up.body.sha256, createHash("sha256").update(original).digest("hex"));
      const listed = await admin.json<Backup[]>("GET", "/api/backups");
      assert.equal(listed.body.find((b) => b.file === file)?.verified?.ok, true);
      const again = await admin.json<{ detail: string }>("POST", "/api/backups/upload", original);
      assert.equal(again.status, 409);
    });

    await t.step("hostile uploads are refused and leave nothing behind", async () => {
      const before = await vaultNames(bosun.dataDir);
      const cases: [string, Uint8Array, number, RegExp][] = [
        ["not a tar", new TextEncoder().encode("hello, not an archive"), 400, /neither a gzip/],
        [
          "a gzip that is not a tar",
          gzipSync(new TextEncoder().encode("x".repeat(5000))),
          400,
          /not a sound/,
        ],
        ["../ path", await craft([{ name: "volumes/v/../../../etc/x", body: "x" }]), 400, /escape/],
        ["absolute path", await craft([{ name: "/etc/cron.d/evil", body: "x" }]), 400, /escape/],
        [
          "symlink escape",
          await craft([
            { name: "volumes/v/l", type: "symlink", linkname: "../../../../etc" },
            { name: "volumes/v/l/shadow", body: "x" },
          ]),
          400,
          /escape/,
        ],
        [
          "gzip bomb",
          await craft([{ name: "volumes/v/zeros", body: "\0".repeat(9 * 1024 * 1024) }]),
          413,
          /unpacks to more than/,
        ],
        ["over the size limit", new Uint8Array(3 * 1024 * 1024), 413, /larger than the limit/],
      ];
      for (const [label, bytes, status, detail] of cases) {
        const res = await admin.json<{ detail: string; type: string }>(
          "POST",
          "/api/backups/upload",
          bytes,
        );
        assert.equal(res.status, status, `${label}: ${JSON.stringify(res.body)}`);
        assert.match(res.body.detail, detail, label);
        assert.deepEqual(await vaultNames(bosun.dataDir), before, `${label}: nothing written`);
      }
      const audit = await admin.json<{ action: string; result: string }[]>(
        "GET",
        "/api/audit?action=backup.upload",
      );
      assert.ok(audit.body.filter((a) => a.result === "failure").length >= cases.length);
    });

    await t.step("a tampered archive is refused even when forced; nothing changes", async () => {
      const evil = await craft([
        { name: `volumes/${volume}/link`, type: "symlink", linkname: "../../../../etc" },
        { name: `volumes/${volume}/link/cron.d/x`, body: "* * * * * root sh" },
      ]);
      const name = "elsewhere__crafted__20260101T000000Z.tar.gz";
      await Deno.writeFile(`${bosun.dataDir}/backups/${name}`, evil);
      try {
        const r = await admin.json<{ detail: string }>("POST", `/api/backups/${name}/restore`, {
          force: true,
          volumes: { [volume]: { mode: "overwrite" } },
        });
        assert.equal(r.status, 409, JSON.stringify(r.body));
        assert.match(r.body.detail, /would escape/);
        assert.equal((await docker("exec", id, "cat", "/data/d/one.txt")).trim(), "one");
        assert.equal((await docker("ps", "-aq", "--filter", "name=crafted")).trim(), "");
      } finally {
        await Deno.remove(`${bosun.dataDir}/backups/${name}`);
      }
    });

    await t.step("uploads are rate limited per hour", async () => {
      let limited: number | undefined;
      for (let i = 0; i < 12 && limited === undefined; i++) {
        const res = await admin.req("POST", "/api/backups/upload", new Uint8Array([1, 2, 3]));
        await res.body?.cancel();
        if (res.status === 429) limited = i;
      }
      assert.ok(limited !== undefined, "the upload limit was reached");
    });

    await t.step("delete all needs the typed confirmation", async () => {
      const wrong = await admin.json("DELETE", "/api/backups", { confirm: "yes" });
      assert.equal(wrong.status, 400);
      assert.ok((await vaultNames(bosun.dataDir)).includes(file));
      const ok = await admin.json<{ deleted: number }>("DELETE", "/api/backups", {
        confirm: "delete all backups",
      });
      assert.equal(ok.status, 200);
      assert.equal(ok.body.deleted, 1);
      assert.deepEqual(await vaultNames(bosun.dataDir), []);
    });
  } finally {
    await docker("rm", "-f", id).catch(() => {});
    await docker("volume", "rm", "-f", volume).catch(() => {});
  }
});
