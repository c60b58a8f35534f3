/**
 * The volume explorer: browse, view, download and upload through a short-lived helper that
 * mounts the volume at `/v` (created, never started), using only the Engine API's archive
 * endpoints. Every path is confined to the volume: `..`, encoded tricks, control characters
 * and symlinks that resolve outside it are refused with a 400.
 */
import { createTarDecoder, createTarPacker, type TarHeader } from "modern-tar";
import {
  getArchive,
  isDirStat,
  isSymlinkStat,
  type PathStat,
  putArchive,
  statPath,
} from "../docker/archive.ts";
import type { DockerClient } from "../docker/client.ts";
import { inspectVolume } from "../docker/volumes.ts";
import { NotFoundError, PayloadTooLargeError, ValidationError } from "../errors.ts";
import { createHelper, removeHelper } from "../backup/helper.ts";
import { drain } from "../backup/reader.ts";

/** Where the helper mounts the volume. */
const ROOT = "/v";

/**
 * Checks and normalises a path inside a volume to `/a/b` (`/` for the root). Refuses `..`,
 * control characters, backslashes and anything still percent-encoded after URL decoding.
 */
export function volumePath(input: string): string {
  if (input.length > 4096) throw new ValidationError("The path is too long");
  // deno-lint-ignore no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(input)) {
    throw new ValidationError("The path contains a control character or a backslash");
  }
  if (/%[0-9a-fA-F]{2}/.test(input)) {
    throw new ValidationError("The path is still URL-encoded: send it decoded once");
  }
  const parts = input.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.some((p) => p === "..")) throw new ValidationError('".." is not allowed in a path');
  return "/" + parts.join("/");
}

/** A file name for an upload: one path component. */
export function fileName(input: string): string {
  const name = volumePath(input).slice(1);
  if (!name || name.includes("/")) throw new ValidationError("A file name is one path component");
  return name;
}

/** One entry of a folder listing. */
export interface FolderEntry {
  name: string;
  type: "file" | "dir" | "symlink" | "other";
  /** Bytes; for a folder, the total of the files under it. */
  size: number;
  mode: number;
  mtime: string;
  linkTarget?: string;
}

/** Runs `fn` with a helper that mounts the volume at `/v`; the helper is always removed. */
async function withHelper<T>(
  docker: DockerClient,
  volume: string,
  readOnly: boolean,
  fn: (helper: string) => Promise<T>,
): Promise<T> {
  if (!await inspectVolume(docker, volume)) throw new NotFoundError(`No volume "${volume}"`);
  const helper = await createHelper(docker, "explorer", [
    { source: volume, target: ROOT, readOnly },
  ]);
  try {
    return await fn(helper);
  } finally {
    await removeHelper(docker, helper).catch(() => {});
  }
}

/**
 * Resolves a volume path to the helper's path, one component at a time, following symlinks
 * only while they stay inside the volume; resolves with the final stat.
 */
async function resolve(
  docker: DockerClient,
  helper: string,
  path: string,
  signal?: AbortSignal,
): Promise<{ path: string; stat: PathStat }> {
  let current = ROOT;
  let stat = await statPath(docker, helper, ROOT, { signal });
  if (!stat) throw new NotFoundError("The volume is not mounted");
  for (const part of path.split("/").filter(Boolean)) {
    const next = `${current}/${part}`;
    stat = await statPath(docker, helper, next, { signal });
    if (!stat) throw new NotFoundError(`No "${path}" in the volume`);
    current = next;
    if (isSymlinkStat(stat)) {
      const target = stat.linkTarget.replace(/\/+$/, "");
      if (target !== ROOT && !target.startsWith(`${ROOT}/`)) {
        throw new ValidationError(`"${path}" goes through a symlink that leaves the volume`);
      }
      current = target;
      stat = await statPath(docker, helper, current, { signal });
      if (!stat) throw new NotFoundError(`"${path}" is a broken symlink`);
    }
  }
  return { path: current, stat };
}

function entryType(h: TarHeader): FolderEntry["type"] {
  if (h.type === "directory") return "dir";
  if (h.type === "symlink") return "symlink";
  if (h.type === "file" || h.type === undefined || h.type === "link") return "file";
  return "other";
}

/** Lists a folder: its direct children, with folder sizes summed from the archive stream. */
export async function listFolder(
  docker: DockerClient,
  volume: string,
  path: string,
  options: { maxEntries?: number; signal?: AbortSignal } = {},
): Promise<{ path: string; entries: FolderEntry[]; truncated: boolean }> {
  const clean = volumePath(path);
  return await withHelper(docker, volume, true, async (helper) => {
    const { path: at, stat } = await resolve(docker, helper, clean, options.signal);
    if (!isDirStat(stat)) throw new ValidationError(`"${clean}" is not a folder`);
    const res = await getArchive(docker, helper, at, { signal: options.signal });
    const children = new Map<string, FolderEntry>();
    let seen = 0;
    let truncated = false;
    const reader = res.pipeThrough(createTarDecoder()).getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        const h = value.header;
        await drain(value.body);
        const parts = h.name.split("/").filter(Boolean).slice(1); // the folder's own name first
        if (!parts.length) continue;
        const child = children.get(parts[0]);
        if (parts.length === 1) {
          children.set(parts[0], {
            name: parts[0],
            type: entryType(h),
            size: h.type === "directory" ? child?.size ?? 0 : h.size,
            mode: h.mode ?? 0,
            mtime: (h.mtime ?? new Date(0)).toISOString(),
            ...(h.linkname ? { linkTarget: h.linkname } : {}),
          });
        } else if (child && entryType(h) === "file") child.size += h.size;
        else if (!child) {
          children.set(parts[0], {
            name: parts[0],
            type: "dir",
            size: entryType(h) === "file" ? h.size : 0,
            mode: 0,
            mtime: new Date(0).toISOString(),
          });
        }
        if (++seen >= (options.maxEntries ?? 200_000)) {
          truncated = true;
          break;
        }
      }
    } finally {
      await reader.cancel().catch(() => {});
    }
    const entries = [...children.values()].sort((a, b) =>
      Number(b.type === "dir") - Number(a.type === "dir") || a.name.localeCompare(b.name)
    );
    return { path: clean, entries, truncated };
  });
}

/** A file's content for viewing: text up to `maxBytes`, or why it is not shown. */
export async function viewFile(
  docker: DockerClient,
  volume: string,
  path: string,
  options: { maxBytes: number; signal?: AbortSignal },
): Promise<{ path: string; size: number; text: string | null; reason?: "too large" | "binary" }> {
  const clean = volumePath(path);
  return await withHelper(docker, volume, true, async (helper) => {
    const { path: at, stat } = await resolve(docker, helper, clean, options.signal);
    if (isDirStat(stat)) throw new ValidationError(`"${clean}" is a folder`);
    if (stat.size > options.maxBytes) {
      return { path: clean, size: stat.size, text: null, reason: "too large" as const };
    }
    const bytes = await readSingle(docker, helper, at, options.signal);
    let text: string | null = null;
    if (!bytes.includes(0)) {
      try {
        text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
      } catch {
        text = null;
      }
    }
    return text === null
      ? { path: clean, size: stat.size, text, reason: "binary" as const }
      : { path: clean, size: stat.size, text };
  });
}

async function readSingle(
  docker: DockerClient,
  helper: string,
  at: string,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  const res = await getArchive(docker, helper, at, { signal });
  const reader = res.pipeThrough(createTarDecoder()).getReader();
  try {
    const { value } = await reader.read();
    if (!value) return new Uint8Array();
    return new Uint8Array(await new Response(value.body).arrayBuffer());
  } finally {
    await reader.cancel().catch(() => {});
  }
}

/** A download: a file's bytes, or a folder as a tar stream. */
export interface Download {
  name: string;
  kind: "file" | "folder";
  /** Known for files. */
  size?: number;
  body: ReadableStream<Uint8Array>;
}

/** Opens a download of a file (its content) or a folder (a tar); the helper goes when it ends. */
export async function openDownload(
  docker: DockerClient,
  volume: string,
  path: string,
  options: { signal?: AbortSignal } = {},
): Promise<Download> {
  const clean = volumePath(path);
  if (!await inspectVolume(docker, volume)) throw new NotFoundError(`No volume "${volume}"`);
  const helper = await createHelper(docker, "explorer", [
    { source: volume, target: ROOT, readOnly: true },
  ]);
  const cleanup = () => removeHelper(docker, helper).catch(() => {});
  try {
    const { path: at, stat } = await resolve(docker, helper, clean, options.signal);
    const res = await getArchive(docker, helper, at, { signal: options.signal });
    const name = clean === "/" ? volume : clean.split("/").at(-1)!;
    if (isDirStat(stat)) {
      return { name: `${name}.tar`, kind: "folder", body: closing(res, cleanup) };
    }
    const reader = res.pipeThrough(createTarDecoder()).getReader();
    const first = await reader.read();
    if (!first.value) throw new NotFoundError(`No "${clean}" in the volume`);
    const body = first.value.body.pipeThrough(new TransformStream());
    return {
      name,
      kind: "file",
      size: first.value.header.size,
      body: closing(body, async () => {
        await reader.cancel().catch(() => {});
        await cleanup();
      }),
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** Uploads one file into a folder of the volume. */
export async function uploadFile(
  docker: DockerClient,
  volume: string,
  folder: string,
  file: { name: string; size: number; body: ReadableStream<Uint8Array> },
  options: { maxBytes: number; signal?: AbortSignal },
): Promise<{ path: string; size: number }> {
  const clean = volumePath(folder);
  const name = fileName(file.name);
  if (file.size > options.maxBytes) {
    throw new PayloadTooLargeError(`Uploads are limited to ${options.maxBytes} bytes`);
  }
  return await withHelper(docker, volume, false, async (helper) => {
    const { path: at, stat } = await resolve(docker, helper, clean, options.signal);
    if (!isDirStat(stat)) throw new ValidationError(`"${clean}" is not a folder`);
    const { readable, controller } = createTarPacker();
    const sending = putArchive(docker, helper, at, readable, { signal: options.signal });
    const writing = (async () => {
      const sink = controller.add({ name, size: file.size, mode: 0o644, mtime: new Date() });
      await file.body.pipeThrough(exactly(file.size)).pipeTo(sink);
      controller.finalize();
    })();
    writing.catch((err) => controller.error(err));
    await Promise.all([writing, sending]);
    return { path: `${clean === "/" ? "" : clean}/${name}`, size: file.size };
  });
}

/**
 * Uploads a tar into a folder of the volume, checking every entry on the way: no absolute
 * or `..` names, no links whose target leaves the volume, at most `maxBytes` of content.
 */
export async function uploadTar(
  docker: DockerClient,
  volume: string,
  folder: string,
  tar: ReadableStream<Uint8Array>,
  options: { maxBytes: number; signal?: AbortSignal },
): Promise<{ path: string; entries: number; bytes: number }> {
  const clean = volumePath(folder);
  return await withHelper(docker, volume, false, async (helper) => {
    const { path: at, stat } = await resolve(docker, helper, clean, options.signal);
    if (!isDirStat(stat)) throw new ValidationError(`"${clean}" is not a folder`);
    const depth = clean.split("/").filter(Boolean).length;
    const { readable, controller } = createTarPacker();
    const sending = putArchive(docker, helper, at, readable, { signal: options.signal });
    let entries = 0;
    let bytes = 0;
    const checking = (async () => {
      const reader = tar.pipeThrough(createTarDecoder({ strict: true })).getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        const h = value.header;
        checkEntry(h, depth);
        bytes += h.size;
        if (bytes > options.maxBytes) {
          throw new PayloadTooLargeError(`Uploads are limited to ${options.maxBytes} bytes`);
        }
        await value.body.pipeTo(controller.add(h));
        entries++;
      }
      controller.finalize();
    })();
    checking.catch((err) => controller.error(err));
    const [result] = await Promise.allSettled([checking, sending]);
    if (result.status === "rejected") throw result.reason;
    await sending;
    return { path: clean, entries, bytes };
  });
}

/** Refuses a tar entry that would land, or point, outside the volume. */
export function checkEntry(h: TarHeader, depth: number): void {
  const name = h.name;
  if (name.startsWith("/")) throw new ValidationError(`"${name}": absolute names are refused`);
  const parts = name.split("/").filter((p) => p && p !== ".");
  if (parts.includes("..")) throw new ValidationError(`"${name}": ".." is refused`);
  if (h.type === "symlink" || h.type === "link") {
    const target = h.linkname ?? "";
    if (h.type === "link") {
      // Hard links name another member of the archive.
      if (target.startsWith("/") || target.split("/").includes("..")) {
        throw new ValidationError(`"${name}": a hard link outside the archive is refused`);
      }
      return;
    }
    if (target.startsWith("/")) {
      throw new ValidationError(`"${name}": a symlink to an absolute path leaves the volume`);
    }
    // Relative: resolve against the entry's folder, counting the upload folder's depth.
    let level = depth + parts.length - 1;
    for (const p of target.split("/")) {
      if (p === "..") level--;
      else if (p && p !== ".") level++;
      if (level < 0) throw new ValidationError(`"${name}": its symlink leaves the volume`);
    }
  }
  if (!["file", "directory", "symlink", "link", undefined].includes(h.type)) {
    throw new ValidationError(`"${name}": ${h.type} entries are refused`);
  }
}

/** Passes exactly `size` bytes; fewer or more is an error (the tar header promised `size`). */
function exactly(size: number): TransformStream<Uint8Array, Uint8Array> {
  let seen = 0;
  return new TransformStream({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      if (seen > size) throw new ValidationError("The upload is longer than its Content-Length");
      controller.enqueue(chunk);
    },
    flush() {
      if (seen !== size) throw new ValidationError("The upload ended before its Content-Length");
    },
  });
}

/** A stream that runs `done` once, when it ends or is cancelled. */
function closing(
  body: ReadableStream<Uint8Array>,
  done: () => Promise<unknown>,
): ReadableStream<Uint8Array> {
  let finished = false;
  const finish = async () => {
    if (!finished) (finished = true, await done());
  };
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done: end, value } = await reader.read();
        if (end) {
          controller.close();
          await finish();
        } else controller.enqueue(value);
      } catch (err) {
        controller.error(err);
        await finish();
      }
    },
    async cancel(reason) {
      await reader.cancel(reason).catch(() => {});
      await finish();
    },
  });
}
