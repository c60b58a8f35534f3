/**
 * scanArchive against hand-made hostile and damaged archives (no engine needed): every
 * escape the upload and restore paths must refuse, caps, truncation, bad CRC, edited members.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { packTar, type TarHeader } from "modern-tar";
import { ArchiveLimitError, scanArchive } from "./reader.ts";
import { sumLine } from "./format.ts";

const manifest = JSON.stringify({
  format: "bosun-backup",
  formatVersion: 1,
  tool: "bosun test",
  server: "s",
  created: new Date(0).toISOString(),
  type: "manual",
  consistency: "live",
  container: {
    id: "x",
    name: "web",
    image: "i",
    imageId: "sha256:1",
    imageDigests: [],
    state: "running",
  },
  volumes: [{ name: "v", destination: "/v", anonymous: false, readOnly: false }],
  binds: [],
  image: { included: false },
});

type Member = { header: Omit<TarHeader, "size"> & { size?: number }; body?: string };

/** A gzip archive of `members` between the manifest pair and a correct SHA256SUMS. */
function archive(members: Member[], options: { sums?: (text: string) => string } = {}) {
  const all: Member[] = [
    { header: { name: "manifest.json", size: manifest.length }, body: manifest },
    { header: { name: "container.json", size: 2 }, body: "{}" },
    ...members,
  ];
  let sums = "";
  for (const m of all) {
    if ((m.header.type ?? "file") !== "file") continue;
    sums += sumLine(createHash("sha256").update(m.body ?? "").digest("hex"), m.header.name);
  }
  sums = options.sums ? options.sums(sums) : sums;
  all.push({ header: { name: "SHA256SUMS", size: sums.length }, body: sums });
  return packTar(all.map((m) => ({ header: { size: 0, ...m.header }, body: m.body })));
}

const file = (name: string, body: string): Member => ({
  header: { name, size: new TextEncoder().encode(body).length },
  body,
});

async function scan(tar: Uint8Array | Promise<Uint8Array>, limits = {}) {
  const path = await Deno.makeTempFile({ suffix: ".tar.gz" });
  try {
    await Deno.writeFile(path, gzipSync(await tar));
    return await scanArchive(path, "t.tar.gz", limits);
  } finally {
    await Deno.remove(path);
  }
}

Deno.test("a sound archive passes, with every file checked", async () => {
  const r = await scan(archive([
    { header: { name: "volumes/v/", type: "directory" } },
    file("volumes/v/a.txt", "hello"),
    { header: { name: "volumes/v/rel", type: "symlink", linkname: "a.txt" } },
    { header: { name: "volumes/v/abs", type: "symlink", linkname: "/etc/passwd" } },
    { header: { name: "volumes/v/hard", type: "link", linkname: "volumes/v/a.txt" } },
  ]));
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.equal(r.checked, 3);
  assert.equal(r.manifest?.container.name, "web");
});

Deno.test("members that would escape are each named", async (t) => {
  const cases: [string, Member[], RegExp][] = [
    ["dot-dot", [file("volumes/v/../../etc/x", "x")], /absolute or `\.\.`/],
    ["absolute", [file("/etc/cron.d/x", "x")], /absolute or `\.\.`/],
    ["outside the layout", [file("etc/passwd", "x")], /not part of a Bosun archive/],
    [
      "symlink climbing out",
      [{ header: { name: "volumes/v/up", type: "symlink", linkname: "../../../etc" } }],
      /symlink pointing outside/,
    ],
    [
      "write through a symlink",
      [
        { header: { name: "volumes/v/etc", type: "symlink", linkname: "/etc" } },
        file("volumes/v/etc/passwd", "root::0:0::/:/bin/sh"),
      ],
      /written through a symlink/,
    ],
    [
      "hard link to another tree",
      [{ header: { name: "volumes/v/h", type: "link", linkname: "volumes/w/secret" } }],
      /hard link pointing outside/,
    ],
    [
      "device node",
      [{ header: { name: "volumes/v/sda", type: "block-device" } }],
      /device node/,
    ],
    ["a huge PAX path", [file(`volumes/v/${"d/".repeat(3000)}x`, "x")], /longer than 4096/],
  ];
  for (const [label, members, reason] of cases) {
    await t.step(label, async () => {
      const r = await scan(archive(members));
      assert.equal(r.ok, false);
      assert.match(r.unsafe.join("\n"), reason);
      assert.match(r.error ?? "", /escape or do not belong/);
    });
  }
});

Deno.test("damage is reported: edited member, truncation, bad CRC, missing sums", async (t) => {
  const members = [file("volumes/v/a.txt", "hello world ".repeat(1000))];
  await t.step("a member edited after SHA256SUMS was written", async () => {
    const r = await scan(archive(members, { sums: (s) => s.replace(/^[0-9a-f]{8}/m, "00000000") }));
    assert.equal(r.ok, false);
    assert.deepEqual(r.mismatched, ["manifest.json"]);
  });
  await t.step("truncated by one byte", async () => {
    const gz = gzipSync(await archive(members));
    const path = await Deno.makeTempFile();
    await Deno.writeFile(path, gz.subarray(0, gz.length - 1));
    const r = await scanArchive(path, "t");
    await Deno.remove(path);
    assert.equal(r.ok, false);
    assert.match(r.error!, /damaged/);
  });
  await t.step("a flipped CRC byte", async () => {
    const gz = gzipSync(await archive(members));
    gz[gz.length - 6] ^= 0xff; // inside the CRC32 trailer
    const path = await Deno.makeTempFile();
    await Deno.writeFile(path, gz);
    const r = await scanArchive(path, "t");
    await Deno.remove(path);
    assert.equal(r.ok, false);
    assert.match(r.error!, /damaged/);
  });
  await t.step("not a Bosun archive", async () => {
    const r = await scan(packTar([{ header: { name: "x", size: 1 }, body: "x" }]));
    assert.equal(r.ok, false);
    assert.match(r.error!, /manifest\.json must be member 1/);
  });
  await t.step("SHA256SUMS missing", async () => {
    const tar = await packTar([
      { header: { name: "manifest.json", size: manifest.length }, body: manifest },
      { header: { name: "container.json", size: 2 }, body: "{}" },
    ]);
    const r = await scan(tar);
    assert.match(r.error!, /SHA256SUMS is missing/);
  });
});

Deno.test("caps: entries and unpacked size (a gzip bomb) throw ArchiveLimitError", async () => {
  const bomb = archive([file("volumes/v/zeros", "\0".repeat(4 * 1024 * 1024))]);
  await assert.rejects(scan(bomb, { maxUncompressedBytes: 1024 * 1024 }), ArchiveLimitError);
  const many = archive(Array.from({ length: 50 }, (_, i) => file(`volumes/v/${i}`, "x")));
  await assert.rejects(scan(many, { maxEntries: 20 }), ArchiveLimitError);
  assert.equal((await scan(many, { maxEntries: 100 })).ok, true);
});
