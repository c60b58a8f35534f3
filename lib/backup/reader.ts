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
import { PayloadTooLargeError } from "../errors.ts";
import { HashingCounter } from "./_hashing.ts";
import {
  type Compression,
  type Manifest,
  ManifestSchema,
  parseSums,
  type Sidecar,
  SidecarSchema,
  sumLine,
} from "./format.ts";

/** The archive's entries in order, plus the hash of the raw file once fully read. */
export function openEntries(
  source: string | ReadableStream<Uint8Array>,
  compression?: Compression,
): {
  entries: ReadableStream<ParsedTarEntry>;
  fileHash: HashingCounter;
} {
  const hasher = new HashingCounter();
  const zstd = compression
    ? compression === "zstd"
    : typeof source === "string" && source.endsWith(".zst");
  const decompress = zstd ? createZstdDecompress() : createGunzip();
  const raw = typeof source === "string"
    ? createReadStream(source, { highWaterMark: 256 * 1024 })
    : Readable.fromWeb(source as import("node:stream/web").ReadableStream<Uint8Array>);
  raw.on("error", (err: Error) => decompress.destroy(err));
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

/** The configuration members at the head of an archive. */
export interface ArchiveHead {
  manifest: Manifest;
  /** `container.json`, or each `containers/<name>/container.json` of a stack, by name. */
  containers: Map<string, Record<string, unknown>>;
  /** `networks/<name>.json` definitions (stacks). */
  networks: Map<string, Record<string, unknown>>;
}

/** Reads the manifest and the configuration members that follow it, without the rest. */
export async function readHead(path: string): Promise<ArchiveHead> {
  const { entries } = openEntries(path);
  let manifest: Manifest | undefined;
  const containers = new Map<string, Record<string, unknown>>();
  const networks = new Map<string, Record<string, unknown>>();
  const reader = entries.getReader();
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      const name = value.header.name;
      const stack = /^containers\/([^/]+)\/container\.json$/.exec(name);
      const network = /^networks\/([^/]+)\.json$/.exec(name);
      if (!manifest && name !== "manifest.json") break;
      if (name !== "manifest.json" && name !== "container.json" && !stack && !network) break;
      if (value.header.size > 16 * 1024 * 1024) throw new Error(`${name} is implausibly large`);
      const json = JSON.parse(await new Response(value.body).text());
      if (name === "manifest.json") manifest = ManifestSchema.parse(json);
      else if (name === "container.json") containers.set(manifest!.container.name, json);
      else if (stack) containers.set(stack[1], json);
      else networks.set(network![1], json);
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  if (!manifest || !containers.size) {
    throw new Error("Not a Bosun backup: manifest.json and the container configuration come first");
  }
  return { manifest, containers, networks };
}

/** Caps applied to archives from outside (uploads); the vault's own use none. */
export interface ScanLimits {
  /** Total size of all members once decompressed. */
  maxUncompressedBytes?: number;
  maxEntries?: number;
  /** Only structure and safety: member bodies are skipped, not hashed (forced restores). */
  safetyOnly?: boolean;
}

/** Raised when an archive exceeds a cap (answered 413). */
export class ArchiveLimitError extends PayloadTooLargeError {
  override name = "ArchiveLimitError";
}

/** Longest member path accepted (a hostile PAX header can carry megabytes). */
const MAX_PATH = 4096;
/** Most problems listed per kind in a report. */
const MAX_LISTED = 100;

/** The outcome of a verification. */
export interface VerifyReport {
  ok: boolean;
  file: string;
  /** Regular files whose hash matched. */
  checked: number;
  entries: number;
  uncompressedBytes: number;
  wholeFile: { expected: string | null; actual: string | null; ok: boolean; size: number };
  mismatched: string[];
  missing: string[];
  unlisted: string[];
  /** Members that would escape on restore, or do not belong in a Bosun archive. */
  unsafe: string[];
  /** The last member that decoded before the archive broke. */
  damagedAfter?: string;
  manifest?: Manifest;
  error?: string;
}

/**
 * Where a member may live. Top-level files, then the trees: a volume, a bind (a directory
 * or a single file), the image, a stack's containers and compose file.
 */
function memberRoot(name: string): string | undefined {
  if (["manifest.json", "container.json", "SHA256SUMS"].includes(name)) return "";
  if (/^networks\/[^/]+\.json$/.test(name)) return "";
  const m = /^(volumes|binds|containers|compose)\/([^/]+)(\/|$)/.exec(name) ??
    /^(image)(\/)/.exec(name);
  if (!m) return undefined;
  return m[1] === "image" ? "image/" : `${m[1]}/${m[2]}/`;
}

/** Normalises `a/./b/../c` style paths; undefined when `..` climbs above the start. */
function normalise(parts: string[]): string[] | undefined {
  const out: string[] = [];
  for (const p of parts) {
    if (p === "" || p === ".") continue;
    if (p === "..") {
      if (!out.length) return undefined;
      out.pop();
    } else out.push(p);
  }
  return out;
}

/**
 * Why a member is unsafe, or undefined: absolute or `..` paths, names outside the layout,
 * device nodes, hard links leaving their tree, relative symlinks climbing out of it, and
 * members written through a symlink seen earlier (the classic tar escape).
 */
function unsafeReason(
  header: ParsedTarEntry["header"],
  symlinks: Set<string>,
): string | undefined {
  const name = header.name;
  if (name.length > MAX_PATH) return "a path longer than 4096 characters";
  if (name.startsWith("/") || name.split("/").includes("..")) return "an absolute or `..` path";
  if (name.includes("\0")) return "a NUL in the name";
  const root = memberRoot(name);
  if (root === undefined) return "not part of a Bosun archive";
  if (header.type === "character-device" || header.type === "block-device") {
    return "a device node";
  }
  const parts = name.replace(/\/$/, "").split("/");
  for (let i = 1; i < parts.length; i++) {
    if (symlinks.has(parts.slice(0, i).join("/"))) return "written through a symlink";
  }
  const link = header.linkname ?? "";
  if (header.type === "link") {
    if (link.startsWith("/") || link.split("/").includes("..") || !link.startsWith(root)) {
      return "a hard link pointing outside its tree";
    }
  }
  if (header.type === "symlink") {
    if (!link.startsWith("/")) {
      const inside = name.slice(root.length).split("/").slice(0, -1);
      if (!normalise([...inside, ...link.split("/")])) {
        return "a symlink pointing outside its tree";
      }
    }
    symlinks.add(name.replace(/\/$/, ""));
  }
  return undefined;
}

/**
 * Reads the whole archive once: structure, safety, caps, and every regular file hashed.
 * Memory stays flat: the member hashes are folded, in order, into the digest of the
 * `SHA256SUMS` Bosun would write, and compared with the real one's digest at the end. Only
 * when they differ does a second pass collect per-file detail (order-independent).
 */
export async function scanArchive(
  source: string | (() => Promise<ReadableStream<Uint8Array>>),
  file: string,
  limits: ScanLimits = {},
  compression?: Compression,
): Promise<VerifyReport> {
  const open = async () => typeof source === "string" ? source : await source();
  const report: VerifyReport = {
    ok: false,
    file,
    checked: 0,
    entries: 0,
    uncompressedBytes: 0,
    wholeFile: { expected: null, actual: null, ok: false, size: 0 },
    mismatched: [],
    missing: [],
    unlisted: [],
    unsafe: [],
  };
  const folded = createHash("sha256");
  let sumsDigest: string | undefined;
  let files = 0;
  const symlinks = new Set<string>();
  let last = "";
  try {
    const { entries, fileHash } = openEntries(await open(), compression);
    for await (const entry of entries) {
      const { name, type, size } = entry.header;
      report.entries++;
      report.uncompressedBytes += size;
      if (limits.maxEntries !== undefined && report.entries > limits.maxEntries) {
        throw new ArchiveLimitError(`The archive has more than ${limits.maxEntries} entries`);
      }
      if (
        limits.maxUncompressedBytes !== undefined &&
        report.uncompressedBytes > limits.maxUncompressedBytes
      ) {
        throw new ArchiveLimitError(
          `The archive unpacks to more than ${limits.maxUncompressedBytes} bytes`,
        );
      }
      if (report.entries <= 2) {
        const expected = report.entries === 1 ? "manifest.json" : "container.json";
        if (
          name !== expected &&
          !(report.entries === 2 && /^containers\/[^/]+\/container\.json$/.test(name))
        ) {
          throw new Error(`Not a Bosun backup: ${expected} must be member ${report.entries}`);
        }
      }
      if (sumsDigest !== undefined) {
        if (report.unlisted.length < MAX_LISTED) report.unlisted.push(name.slice(0, 200));
        await drain(entry.body);
        continue;
      }
      const unsafe = unsafeReason(entry.header, symlinks);
      if (unsafe && report.unsafe.length < MAX_LISTED) {
        report.unsafe.push(`${name.slice(0, 200)}: ${unsafe}`);
      }
      last = name.slice(0, 200);
      if ((type !== undefined && type !== "file") || (limits.safetyOnly && report.entries > 2)) {
        await drain(entry.body);
        continue;
      }
      if (name === "SHA256SUMS") {
        const hash = createHash("sha256");
        for await (const chunk of entry.body) hash.update(chunk);
        sumsDigest = hash.digest("hex");
        continue;
      }
      if (name === "manifest.json") {
        if (size > 1024 * 1024) throw new Error("manifest.json is implausibly large");
        const bytes = new Uint8Array(await new Response(entry.body).arrayBuffer());
        const text = new TextDecoder().decode(bytes);
        folded.update(sumLine(createHash("sha256").update(bytes).digest("hex"), name));
        files++;
        try {
          report.manifest = ManifestSchema.parse(JSON.parse(text));
        } catch (err) {
          throw new Error(
            `Not a Bosun backup: manifest.json is invalid (${
              (err as Error).message.slice(0, 200)
            })`,
          );
        }
        continue;
      }
      const hash = createHash("sha256");
      for await (const chunk of entry.body) hash.update(chunk);
      folded.update(sumLine(hash.digest("hex"), name));
      files++;
    }
    report.wholeFile.actual = fileHash.hash.digest("hex");
    report.wholeFile.size = fileHash.bytes;
  } catch (err) {
    if (err instanceof ArchiveLimitError) throw err;
    report.damagedAfter = last || undefined;
    report.error = `The archive is damaged: ${(err as Error).message}` +
      (last ? ` (after "${last}")` : "");
    return report;
  }
  if (sumsDigest === undefined) {
    report.error = "SHA256SUMS is missing: the archive is incomplete";
    return report;
  }
  if (sumsDigest === folded.digest("hex")) {
    report.checked = files;
  } else {
    await compareSums(await open(), report, compression);
  }
  if (report.unsafe.length) {
    report.error = `Members that would escape or do not belong: ${report.unsafe[0]}`;
  } else if (report.mismatched.length || report.missing.length || report.unlisted.length) {
    report.error = "Some members do not match SHA256SUMS";
  }
  report.ok = !report.error;
  return report;
}

/** The slow path: every member's hash against SHA256SUMS, in any order. */
async function compareSums(
  path: string | ReadableStream<Uint8Array>,
  report: VerifyReport,
  compression?: Compression,
): Promise<void> {
  const computed = new Map<string, string>();
  let sums = new Map<string, string>();
  const { entries } = openEntries(path, compression);
  for await (const entry of entries) {
    const { name, type } = entry.header;
    if (type !== undefined && type !== "file") {
      await drain(entry.body);
    } else if (name === "SHA256SUMS") {
      sums = parseSums(await new Response(entry.body).text());
    } else {
      const hash = createHash("sha256");
      for await (const chunk of entry.body) hash.update(chunk);
      computed.set(name, hash.digest("hex"));
    }
  }
  const list = (into: string[], name: string) => {
    if (into.length < MAX_LISTED) into.push(name.slice(0, 200));
  };
  for (const [name, hash] of sums) {
    const actual = computed.get(name);
    if (actual === undefined) list(report.missing, name);
    else if (actual !== hash) list(report.mismatched, name);
    else report.checked++;
  }
  for (const name of computed.keys()) if (!sums.has(name)) list(report.unlisted, name);
}

/** Reads a member's body to its end (skipping by cancel can stall the decoder). */
export async function drain(body: ReadableStream<Uint8Array>): Promise<void> {
  for await (const _ of body) { /* skipped */ }
}

/** Verifies a vault backup: the archive (see scanArchive) and the whole file's sidecar hash. */
export async function verifyBackup(vaultDir: string, file: string): Promise<VerifyReport> {
  let expected: string | null = null;
  let sidecarError: string | undefined;
  try {
    expected = (await readSidecar(vaultDir, file)).sha256;
  } catch {
    sidecarError = "The sidecar (listing metadata) is missing or unreadable";
  }
  const report = await scanArchive(`${vaultDir}/${file}`, file);
  report.wholeFile.expected = expected;
  report.wholeFile.ok = expected !== null && expected === report.wholeFile.actual;
  if (!report.error && sidecarError) report.error = sidecarError;
  if (!report.error && !report.wholeFile.ok) {
    report.error = "The file's SHA-256 differs from the one recorded when it was written";
  }
  report.ok = !report.error;
  delete report.manifest;
  return report;
}
