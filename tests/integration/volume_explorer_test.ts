/**
 * The volume explorer against the real engine: a volume with nested folders, a large file, a
 * binary file and symlinks (inside and leaving the volume); browse, view, download, upload a
 * file and a tar; every hostile path is a 400 problem and changes nothing.
 */
import assert from "node:assert/strict";
import { packTar } from "modern-tar";
import { unpackTar } from "modern-tar";
import { docker, setupAndLogin, startBosun, TestContainers } from "../_harness.ts";

type Entry = { name: string; type: string; size: number; linkTarget?: string };

Deno.test("volume explorer: browse, view, download, upload; hostile paths refused", async (t) => {
  // 11 uploads below; the 12th is refused by the named limit.
  await using bosun = await startBosun({ env: { BOSUN_UPLOADS_PER_HOUR: "11" } });
  await using containers = new TestContainers();
  const admin = await setupAndLogin(bosun);
  const volume = `bt-${containers.runId}-explore`;
  const id = await containers.create("explore", { args: ["-v", `${volume}:/data`] });
  try {
    await docker(
      "exec",
      id,
      "sh",
      "-c",
      [
        "mkdir -p /data/a/b /data/empty",
        "echo 'hello volume' > /data/a/b/c.txt",
        "dd if=/dev/zero of=/data/big.bin bs=1024 count=600 2>/dev/null",
        "printf 'bin\\000ary' > /data/a/blob.dat",
        "ln -s a/b /data/in",
        "ln -s /etc /data/out",
        "ln -s ../../etc /data/a/up",
      ].join(" && "),
    );
    const base = `/api/volumes/${volume}`;
    const q = (p: string) => `path=${encodeURIComponent(p)}`;

    await t.step("browse the root and a nested folder, with folder sizes", async () => {
      const root = await admin.json<{ entries: Entry[] }>("GET", `${base}/files?${q("/")}`);
      assert.equal(root.status, 200, JSON.stringify(root.body));
      const byName = new Map(root.body.entries.map((e) => [e.name, e]));
      assert.equal(byName.get("a")?.type, "dir");
      assert.equal(byName.get("a")?.size, 13 + 7, "a/ holds c.txt and blob.dat");
      assert.equal(byName.get("big.bin")?.size, 600 * 1024);
      assert.equal(byName.get("in")?.type, "symlink");
      assert.equal(byName.get("out")?.linkTarget, "/etc");
      assert.equal(root.body.entries[0].type, "dir", "folders first");
      const nested = await admin.json<{ entries: Entry[] }>("GET", `${base}/files?${q("/a/b")}`);
      assert.deepEqual(nested.body.entries.map((e) => [e.name, e.type, e.size]), [
        ["c.txt", "file", 13],
      ]);
      const through = await admin.json<{ entries: Entry[] }>("GET", `${base}/files?${q("/in")}`);
      assert.equal(through.status, 200, "a symlink inside the volume is followed");
      assert.equal(through.body.entries[0]?.name, "c.txt");
    });

    await t.step("view text, refuse too large and binary with a reason", async () => {
      const text = await admin.json<{ text: string }>("GET", `${base}/file?${q("/a/b/c.txt")}`);
      assert.equal(text.body.text, "hello volume\n");
      const big = await admin.json<{ text: null; reason: string; size: number }>(
        "GET",
        `${base}/file?${q("/big.bin")}`,
      );
      assert.deepEqual([big.body.text, big.body.reason, big.body.size], [
        null,
        "too large",
        600 * 1024,
      ]);
      const bin = await admin.json<{ reason: string }>("GET", `${base}/file?${q("/a/blob.dat")}`);
      assert.equal(bin.body.reason, "binary");
      const folder = await admin.json("GET", `${base}/file?${q("/a")}`);
      assert.equal(folder.status, 400);
    });

    await t.step("download a file and a folder (tar)", async () => {
      const file = await admin.req("GET", `${base}/download?${q("/big.bin")}`);
      assert.equal(file.status, 200);
      assert.match(file.headers.get("Content-Disposition") ?? "", /big\.bin/);
      assert.equal((await file.arrayBuffer()).byteLength, 600 * 1024);
      const folder = await admin.req("GET", `${base}/download?${q("/a")}`);
      assert.equal(folder.headers.get("Content-Type"), "application/x-tar");
      const entries = await unpackTar(new Uint8Array(await folder.arrayBuffer()));
      const c = entries.find((e) => e.header.name === "a/b/c.txt");
      assert.equal(new TextDecoder().decode(c?.data), "hello volume\n");
    });

    await t.step("hostile paths are 400 problems", async () => {
      for (
        const p of [
          "../etc",
          "/a/../../etc/passwd",
          "%2e%2e/etc",
          "a\\..\\b",
          "a\u0000b",
          "/out/passwd",
          "/out",
          "/a/up/passwd",
        ]
      ) {
        for (const kind of ["files", "file", "download"]) {
          const r = await admin.json<{ status: number; type: string }>(
            "GET",
            `${base}/${kind}?${q(p)}`,
          );
          assert.equal(r.status, 400, `${kind} ${JSON.stringify(p)} → ${r.status}`);
          assert.equal(r.body.status, 400);
        }
      }
      const missing = await admin.json("GET", `${base}/files?${q("/nope")}`);
      assert.equal(missing.status, 404);
      const noVolume = await admin.json("GET", `/api/volumes/bt-no-such-volume-x/files`);
      assert.equal(noVolume.status, 404);
    });

    await t.step("upload a file and a checked tar; hostile tars change nothing", async () => {
      const bytes = new TextEncoder().encode("uploaded\n");
      const up = await admin.req(
        "POST",
        `${base}/upload?${q("/a")}&filename=new.txt`,
        bytes,
        { "Content-Type": "application/octet-stream" },
      );
      assert.equal(up.status, 201, await up.clone().text());
      assert.equal(await docker("exec", id, "cat", "/data/a/new.txt"), "uploaded\n");
      const tar = await packTar([
        { header: { name: "t/", type: "directory", size: 0 } },
        { header: { name: "t/x.txt", size: 3 }, body: "xyz" },
        { header: { name: "t/link", type: "symlink", size: 0, linkname: "x.txt" } },
      ]);
      const tarUp = await admin.req("POST", `${base}/upload?${q("/empty")}&tar=true`, tar, {
        "Content-Type": "application/x-tar",
      });
      assert.equal(tarUp.status, 201, await tarUp.clone().text());
      assert.equal(await docker("exec", id, "cat", "/data/empty/t/link"), "xyz");
      for (
        const [label, entries] of [
          ["dot-dot", [{ header: { name: "../evil.txt", size: 1 }, body: "e" }]],
          ["absolute", [{ header: { name: "/evil.txt", size: 1 }, body: "e" }]],
          ["symlink out", [{
            header: { name: "evil", type: "symlink" as const, size: 0, linkname: "/etc" },
          }]],
          ["relative out", [{
            header: { name: "evil", type: "symlink" as const, size: 0, linkname: "../../x" },
          }]],
        ] as const
      ) {
        const r = await admin.req(
          "POST",
          `${base}/upload?${q("/a")}&tar=true`,
          await packTar(entries as never),
          { "Content-Type": "application/x-tar" },
        );
        assert.equal(r.status, 400, `${label}: ${await r.text()}`);
      }
      assert.equal(
        (await docker("exec", id, "sh", "-c", "ls /data/a /data | grep -c evil || true")).trim(),
        "0",
      );
      for (
        const bad of [
          `${base}/upload?${q("/a")}&filename=${encodeURIComponent("../x")}`,
          `${base}/upload?${q("/a")}&filename=${encodeURIComponent("a/b")}`,
          `${base}/upload?${q("/a")}`,
          `${base}/upload?${q("/big.bin")}&filename=x`,
          `${base}/upload?${q("/out")}&filename=x`,
        ]
      ) {
        const r = await admin.req("POST", bad, bytes, {
          "Content-Type": "application/octet-stream",
        });
        assert.equal(r.status, 400, `${bad}: ${await r.text()}`);
      }
      const limited = await admin.req(
        "POST",
        `${base}/upload?${q("/a")}&filename=late.txt`,
        bytes,
        { "Content-Type": "application/octet-stream" },
      );
      assert.equal(limited.status, 429, "uploads are rate-limited");
      await limited.body?.cancel();
      const audit = await admin.json<{ action: string }[]>(
        "GET",
        "/api/audit?action=volume.upload",
      );
      assert.ok(audit.body.length >= 2);
    });
  } finally {
    await docker("rm", "-f", id).catch(() => {});
    await docker("volume", "rm", "-f", volume).catch(() => {});
  }
});
