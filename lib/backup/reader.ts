/**
 * Reading backups: the archive's entries as a stream (decompressed by file type), and
 * verification — every member against `SHA256SUMS`, the whole file against its sidecar.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { createGunzip, createZstdDecompress } from "node:zlib";
import { createTarDecoder } from "modern-tar";
import type { ParsedTarEntry } from "modern-tar";
import { HashingCounter } from "./_hashing.ts";
import { type Manifest, ManifestSchema, parseSums, type Sidecar, SidecarSchema } from "./format.ts";

/** The archive's entries in order, plus the hash of the raw file once fully read. */
export function openEntries(path: string): {
  entries: ReadableStream<ParsedTarEntry>;
  fileHash: HashingCounter;
} {
  const hasher = new HashingCounter();
  const decompress = path.endsWith(".zst") ? createZstdDecompress() : createGunzip();
  const raw = createReadStream(path, { highWaterMark: 256 * 1024 });
  raw.on("error", (err) => decompress.destroy(err));
  hasher.on("error", (err) => decompress.destroy(err));
  const plain = raw.pipe(hasher).pipe(decompress);
  const entries = (Readable.toWeb(plain) as ReadableStream<Uint8Array>)
    .pipeThrough(createTarDecoder({ strict: true }));
  return { entries, fileHash: hasher };
}

/** Reads the sidecar `<file>.json`. */
export async function readSidecar(vaultDir: string, file: string): Promise<Sidecar> {
  return SidecarSchema.parse(JSON.parse(await Deno.readTextFile(`${vaultDir}/${file}.json`)));
}

/** Reads `manifest.json` and `container.json` (the first two members) without the rest. */
export async function readHead(
  path: string,
): Promise<{ manifest: Manifest; container: Record<string, unknown> }> {
  const { entries } = openEntries(path);
  let manifest: Manifest | undefined;
  let container: Record<string, unknown> | undefined;
  const reader = entries.getReader();
  try {
    while (!manifest || !container) {
      const { done, value } = await reader.read();
      if (done) break;
      const text = await new Response(value.body).text();
      if (value.header.name === "manifest.json") manifest = ManifestSchema.parse(JSON.parse(text));
      else if (value.header.name === "container.json") container = JSON.parse(text);
      else break;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  if (!manifest || !container) {
    throw new Error("Not a Bosun backup: manifest.json and container.json must come first");
  }
  return { manifest, container };
}

/** The outcome of a verification. */
export interface VerifyReport {
  ok: boolean;
  file: string;
  checked: number;
  wholeFile: { expected: string | null; actual: string | null; ok: boolean };
  mismatched: string[];
  missing: string[];
  unlisted: string[];
  error?: string;
}

/** Re-hashes every member and the whole file; never throws for a damaged archive. */
export async function verifyBackup(vaultDir: string, file: string): Promise<VerifyReport> {
  const report: VerifyReport = {
    ok: false,
    file,
    checked: 0,
    wholeFile: { expected: null, actual: null, ok: false },
    mismatched: [],
    missing: [],
    unlisted: [],
  };
  try {
    report.wholeFile.expected = (await readSidecar(vaultDir, file)).sha256;
  } catch {
    report.error = "The sidecar (listing metadata) is missing or unreadable";
  }
  const computed = new Map<string, string>();
  let sums: Map<string, string> | undefined;
  try {
    const { entries, fileHash } = openEntries(`${vaultDir}/${file}`);
    for await (const entry of entries) {
      const { name, type } = entry.header;
      if (name === "SHA256SUMS") {
        sums = parseSums(await new Response(entry.body).text());
        continue;
      }
      if (type !== undefined && type !== "file") {
        await entry.body.cancel();
        continue;
      }
      const hash = createHash("sha256");
      for await (const chunk of entry.body) hash.update(chunk);
      computed.set(name, hash.digest("hex"));
    }
    report.wholeFile.actual = fileHash.hash.digest("hex");
  } catch (err) {
    report.error = `The archive is damaged: ${(err as Error).message}`;
    return report;
  }
  report.wholeFile.ok = report.wholeFile.expected === report.wholeFile.actual;
  if (!sums) {
    report.error = "SHA256SUMS is missing: the archive is incomplete";
    return report;
  }
  for (const [path, hash] of sums) {
    const actual = computed.get(path);
    if (actual === undefined) report.missing.push(path);
    else if (actual !== hash) report.mismatched.push(path);
    else report.checked++;
  }
  for (const path of computed.keys()) if (!sums.has(path)) report.unlisted.push(path);
  report.ok = !report.error && report.wholeFile.ok && !report.mismatched.length &&
    !report.missing.length && !report.unlisted.length;
  if (!report.ok && !report.error) {
    report.error = !report.wholeFile.ok
      ? "The file's SHA-256 differs from the one recorded when it was written"
      : "Some members do not match SHA256SUMS";
  }
  return report;
}
