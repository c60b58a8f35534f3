/**
 * Writes one container backup as a single streaming pass: engine archive streams → tar
 * re-emission (headers intact, names under `volumes/<name>/`) → compressor → SHA-256 → file.
 * Written to a hidden `.partial` name, fsynced, renamed into place only when complete; the
 * sidecar is written the same way. Nothing is held in memory beyond one chunk per stage.
 */
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { statfs } from "node:fs/promises";
import { Readable, Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip, createZstdCompress } from "node:zlib";
import { createTarDecoder, createTarPacker, type ParsedTarEntry, type TarHeader } from "modern-tar";
import type { DockerClient } from "../docker/client.ts";
import {
  type ContainerInspect,
  inspectContainer,
  listContainers,
  pauseContainer,
  startContainer,
  stopContainer,
  unpauseContainer,
} from "../docker/containers.ts";
import { exportImage, inspectImage } from "../docker/images.ts";
import { inspectVolume } from "../docker/volumes.ts";
import { containerName, isHelper } from "../containers/lifecycle.ts";
import { inspectNetwork, networkDefinition } from "../docker/networks.ts";
import { NotFoundError } from "../errors.ts";
import { COMMAND_LABELS, parseCommandLabel, runCommand } from "./commands.ts";
import { createHelper, type HelperMount, removeHelper } from "./helper.ts";
import { FlowWindow } from "./_flow.ts";
import { HashingCounter } from "./_hashing.ts";
import {
  backupFileName,
  bindMember,
  type Compression,
  FORMAT,
  type Manifest,
  type Sidecar,
  sumLine,
} from "./format.ts";

/** Progress of a running backup. */
export interface BackupProgress {
  bytesIn: number;
  bytesOut: number;
  member: string;
}

/** What to back up and how. */
export interface BackupRequest {
  /** The container to back up — or, with `project`, every container of a compose project. */
  containerRef?: string;
  project?: string;
  /** Bosun's own container: never paused or stopped (a stack may include it). */
  selfId?: string;
  vaultDir: string;
  serverName: string;
  toolVersion: string;
  compression: Compression;
  consistency: "live" | "pause" | "stop";
  type: "manual" | "scheduled";
  schedule?: string;
  /** Volume names, bind sources or mount destinations to leave out. */
  exclude?: string[];
  /** Also store the image (`docker save`), so a restore needs no registry. */
  includeImage?: boolean;
  /** Commands run in the container before the backup and after it (argv arrays). */
  pre?: string[];
  post?: string[];
  /** Mode and owner of the finished files (the admin's settings). */
  fileMode?: number;
  fileOwner?: { uid: number; gid: number };
  /** Honour `bosun.backup.pre` / `bosun.backup.post` labels (the admin's setting). */
  labelCommands?: boolean;
  /** Told about problems that do not fail the backup (a post command that failed). */
  onWarning?: (message: string) => void;
  onProgress?: (p: BackupProgress) => void;
  /** Told which containers are about to be stopped or paused, and (null) once all are back. */
  onInterrupt?: (state: "stopped" | "paused" | null, ids: string[]) => void;
  signal?: AbortSignal;
}

const encoder = new TextEncoder();

/**
 * Stops a backup before the disk is full: every MiB it checks the free space of the vault's
 * file system and fails once it falls under the reserve (5 % of the disk, between 8 and
 * 64 MiB), so the database always keeps room to work (SQLite's WAL index is memory-mapped:
 * on a full tmpfs a write to it kills the process with SIGBUS, so the disk must never fill).
 */
class SpaceGuard extends Transform {
  #sinceCheck = 0;
  constructor(private readonly dir: string) {
    super();
  }
  override _transform(chunk: Uint8Array, _enc: BufferEncoding, done: TransformCallback) {
    this.#sinceCheck += chunk.length;
    if (this.#sinceCheck < 1024 * 1024) return done(null, chunk);
    this.#sinceCheck = 0;
    statfs(this.dir).then((s) => {
      const free = s.bavail * s.bsize;
      const reserve = Math.max(8 * 1048576, Math.min(64 * 1048576, s.blocks * s.bsize * 0.05));
      if (free - chunk.length < reserve) {
        done(
          new Error(
            `The backup disk is full (${Math.round(free / 1048576)} MiB free, ` +
              `${
                Math.round(reserve / 1048576)
              } MiB kept in reserve): the backup was stopped and nothing was kept`,
          ),
        );
      } else done(null, chunk);
    }, () => done(null, chunk));
  }
}

/** Writes the backup; resolves with its sidecar once the file is complete and in place. */
export async function writeBackup(docker: DockerClient, req: BackupRequest): Promise<Sidecar> {
  const targets = req.project
    ? await stackContainers(docker, req.project, req.signal)
    : [await inspectContainer(docker, req.containerRef!, { signal: req.signal })];
  const created = new Date();
  const parts: { inspect: ContainerInspect; manifest: Manifest; commands: Commands }[] = [];
  for (const inspect of targets) {
    const commands = backupCommands(inspect, req);
    parts.push({
      inspect,
      commands,
      manifest: await buildManifest(docker, inspect, req, created, commands),
    });
  }
  const { manifest, members } = req.project
    ? await stackManifest(docker, req.project, parts, req)
    : {
      manifest: parts[0].manifest,
      members: [{ name: "container.json", text: JSON.stringify(parts[0].inspect, null, 2) }],
    };
  const file = await freeName(
    req.vaultDir,
    backupFileName(req.serverName, manifest.container.name, created, req.compression),
  );
  const partial = `${req.vaultDir}/.${file}.${crypto.randomUUID().slice(0, 8)}.partial`;
  const ran: typeof parts = [];
  try {
    for (const part of parts) {
      if (part.commands.pre && part.inspect.State.Status === "running") {
        ran.push(part);
        await runCommand(docker, part.inspect.Id, part.commands.pre, { signal: req.signal });
      }
    }
    const interrupt = parts.map((p) => p.inspect).filter((i) =>
      i.State.Status === "running" && req.consistency !== "live" && i.Id !== req.selfId
    );
    const state = req.consistency === "pause" ? "paused" : "stopped";
    if (interrupt.length) req.onInterrupt?.(state, interrupt.map((i) => i.Id));
    try {
      for (const i of interrupt) {
        if (state === "paused") await pauseContainer(docker, i.Id);
        else await stopContainer(docker, i.Id, { timeoutSeconds: 30 });
      }
      const { size, sha256, unpackedSize } = await writeArchive(
        docker,
        members,
        manifest,
        partial,
        req,
      );
      await fsyncFile(partial);
      await Deno.rename(partial, `${req.vaultDir}/${file}`);
      const sidecar: Sidecar = {
        file,
        size,
        sha256,
        compression: req.compression,
        unpackedSize,
        manifest,
      };
      await writeAtomically(`${req.vaultDir}/${file}.json`, JSON.stringify(sidecar, null, 2));
      for (const f of [file, `${file}.json`]) {
        if (req.fileMode !== undefined) await Deno.chmod(`${req.vaultDir}/${f}`, req.fileMode);
        if (req.fileOwner) {
          await Deno.chown(`${req.vaultDir}/${f}`, req.fileOwner.uid, req.fileOwner.gid);
        }
      }
      await fsyncFile(req.vaultDir);
      return sidecar;
    } catch (err) {
      await Deno.remove(partial).catch(() => {});
      throw err;
    } finally {
      // Put every container back, also when the backup failed, in their original order.
      for (const i of interrupt) {
        if (state === "paused") await unpauseContainer(docker, i.Id).catch(() => {});
        else await startContainer(docker, i.Id).catch(() => {});
      }
      if (interrupt.length) req.onInterrupt?.(null, []);
    }
  } finally {
    for (const part of ran) {
      if (!part.commands.post) continue;
      await runCommand(docker, part.inspect.Id, part.commands.post).catch((err) =>
        req.onWarning?.(
          `The post-backup command of ${containerName(part.inspect)} failed: ${
            (err as Error).message
          }`,
        )
      );
    }
  }
}

type Commands = { pre?: string[]; post?: string[] };

/** The containers of a compose project, by name; never Bosun's helpers. */
async function stackContainers(
  docker: DockerClient,
  project: string,
  signal?: AbortSignal,
): Promise<ContainerInspect[]> {
  const list = await listContainers(docker, {
    filters: { label: [`com.docker.compose.project=${project}`] },
    signal,
  });
  const out: ContainerInspect[] = [];
  for (const c of list.sort((a, b) => a.name.localeCompare(b.name))) {
    const inspect = await inspectContainer(docker, c.id, { signal });
    if (!isHelper(inspect)) out.push(inspect);
  }
  if (!out.length) {
    throw new NotFoundError(`No containers belong to the compose project "${project}"`);
  }
  return out;
}

/** The stack's manifest (volumes and binds each once) and its configuration members. */
async function stackManifest(
  docker: DockerClient,
  project: string,
  parts: { inspect: ContainerInspect; manifest: Manifest }[],
  req: BackupRequest,
): Promise<{ manifest: Manifest; members: { name: string; text: string }[] }> {
  const volumes = new Map<string, Manifest["volumes"][number]>();
  const binds = new Map<string, Manifest["binds"][number]>();
  const networks = new Set<string>();
  const members: { name: string; text: string }[] = [];
  for (const { inspect, manifest } of parts) {
    for (const v of manifest.volumes) if (!volumes.has(v.name)) volumes.set(v.name, v);
    for (const b of manifest.binds) if (!binds.has(b.source)) binds.set(b.source, b);
    const attached = (inspect.NetworkSettings as { Networks?: Record<string, unknown> } | undefined)
      ?.Networks ?? {};
    for (const n of Object.keys(attached)) {
      if (!["bridge", "host", "none"].includes(n)) networks.add(n);
    }
    members.push({
      name: `containers/${containerName(inspect)}/container.json`,
      text: JSON.stringify(inspect, null, 2),
    });
  }
  for (const name of networks) {
    const n = await inspectNetwork(docker, name, { signal: req.signal });
    const def = networkDefinition(n);
    members.push({ name: `networks/${name}.json`, text: JSON.stringify(def, null, 2) });
  }
  const states = new Set(parts.map((p) => p.manifest.container.state));
  return {
    members,
    manifest: {
      ...parts[0].manifest,
      kind: "stack",
      container: {
        id: "",
        name: `stack-${project}`,
        image: "",
        imageId: "",
        imageDigests: [],
        state: states.size === 1 ? [...states][0] : "mixed",
      },
      stack: {
        project,
        containers: parts.map((p) => ({
          id: p.manifest.container.id,
          name: p.manifest.container.name,
          image: p.manifest.container.image,
          imageId: p.manifest.container.imageId,
          state: p.manifest.container.state,
        })),
      },
      volumes: [...volumes.values()],
      binds: [...binds.values()],
      image: { included: false },
      commands: {},
      networks: [...networks],
    },
  };
}

/** The pre/post commands: the request's, else the labels' when the admin allows them. */
function backupCommands(
  inspect: ContainerInspect,
  req: BackupRequest,
): { pre?: string[]; post?: string[] } {
  const labels = ((inspect.Config as { Labels?: Record<string, string> | null }).Labels) ?? {};
  const fromLabel = (key: string) => req.labelCommands ? parseCommandLabel(labels[key]) : undefined;
  return {
    pre: req.pre?.length ? req.pre : fromLabel(COMMAND_LABELS.pre),
    post: req.post?.length ? req.post : fromLabel(COMMAND_LABELS.post),
  };
}

async function buildManifest(
  docker: DockerClient,
  inspect: ContainerInspect,
  req: BackupRequest,
  created: Date,
  commands: { pre?: string[]; post?: string[] },
): Promise<Manifest> {
  const mounts = (inspect as { Mounts?: Record<string, unknown>[] }).Mounts ?? [];
  const image = String((inspect.Config as { Image: string }).Image);
  const imageId = String((inspect as { Image?: string }).Image ?? "");
  const imageInfo = imageId
    ? await inspectImage(docker, imageId).catch(() => undefined)
    : undefined;
  const excluded = new Set(req.exclude ?? []);
  const isExcluded = (...keys: string[]) => keys.some((k) => excluded.has(k));
  const volumes: Manifest["volumes"] = [];
  for (const m of mounts.filter((m) => m.Type === "volume")) {
    const name = String(m.Name);
    const info = await inspectVolume(docker, name, { signal: req.signal });
    volumes.push({
      name,
      destination: String(m.Destination),
      anonymous: /^[0-9a-f]{64}$/.test(name),
      readOnly: m.RW === false,
      included: !isExcluded(name, String(m.Destination)),
      driver: info?.driver ?? String(m.Driver ?? "local"),
      driverOpts: info?.options ?? {},
      labels: info?.labels ?? {},
    });
  }
  // The image by its reference keeps its tags; by id when the reference has moved on.
  const reference = (await inspectImage(docker, image).catch(() => undefined))?.id === imageId
    ? image
    : imageId;
  return {
    format: FORMAT.name,
    formatVersion: FORMAT.version,
    tool: `bosun ${req.toolVersion}`,
    server: req.serverName,
    created: created.toISOString(),
    type: req.type,
    ...(req.schedule ? { schedule: req.schedule } : {}),
    consistency: req.consistency,
    container: {
      id: inspect.Id,
      name: containerName(inspect),
      image,
      imageId,
      imageDigests: imageInfo?.repoDigests ?? [],
      state: inspect.State.Status,
    },
    volumes,
    binds: mounts.filter((m) => m.Type === "bind").map((m) => {
      const source = String(m.Source);
      const included = !isExcluded(source, String(m.Destination));
      return {
        source,
        destination: String(m.Destination),
        included,
        member: included ? bindMember(source) : undefined,
      };
    }),
    image: req.includeImage ? { included: true, reference } : { included: false },
    commands,
    kind: "container",
    networks: [],
  };
}

async function writeArchive(
  docker: DockerClient,
  members: { name: string; text: string }[],
  manifest: Manifest,
  path: string,
  req: BackupRequest,
): Promise<{ size: number; sha256: string; unpackedSize: number }> {
  const { readable, controller } = createTarPacker();
  const window = new FlowWindow();
  const counter = new HashingCounter();
  const compressor = req.compression === "zstd" ? createZstdCompress() : createGzip({ level: 6 });
  const output = createWriteStream(path, { flags: "wx", mode: 0o600 });
  const guard = new SpaceGuard(req.vaultDir);
  const written = pipeline(
    Readable.fromWeb(readable.pipeThrough(window.tap())),
    compressor,
    counter,
    guard,
    output,
    {
      signal: req.signal,
    },
  );
  written.catch((err) => window.fail(err)); // producers waiting for room must not hang
  const progress: BackupProgress = { bytesIn: 0, bytesOut: 0, member: "" };
  const sums = new SumsSpool(path.replace(/\.partial$/, ".sums.partial"));
  const addText = async (name: string, text: string) => {
    const data = encoder.encode(text);
    const writer = controller.add({ name, size: data.length, mode: 0o644, mtime: new Date() })
      .getWriter();
    await writer.write(data);
    await writer.close();
    await sums.push(sumLine(createHash("sha256").update(data).digest("hex"), name));
  };
  try {
    await addText("manifest.json", JSON.stringify(manifest, null, 2));
    for (const m of members) await addText(m.name, m.text);
    const emit = { controller, sums, progress, req, counter, window };
    for (const volume of manifest.volumes.filter((v) => v.included)) {
      await addMount(docker, { source: volume.name, target: "/v", readOnly: true }, emit, {
        path: "/v/",
        prefix: `volumes/${volume.name}/`,
      });
    }
    for (const bind of manifest.binds.filter((b) => b.included)) {
      await addMount(
        docker,
        { type: "bind", source: bind.source, target: "/v", readOnly: true },
        emit,
        { path: "/v", prefix: `${bind.member}/` },
      );
    }
    if (manifest.image.included) {
      progress.member = "image/";
      const tarball = await exportImage(docker, manifest.image.reference!, { signal: req.signal });
      try {
        await reemit(streamEntries(tarball), (n) => `image/${n}`, emit);
      } catch (err) {
        (tarball as unknown as { destroy(): void }).destroy();
        throw err;
      }
    }
    const size = await sums.finish();
    await (await sums.readable()).pipeTo(controller.add({ name: "SHA256SUMS", size, mode: 0o644 }));
    controller.finalize();
  } catch (err) {
    controller.error(err);
    await written.catch(() => {});
    throw err;
  } finally {
    await sums.dispose();
  }
  await written;
  return {
    size: counter.bytes,
    sha256: counter.hash.digest("hex"),
    unpackedSize: progress.bytesIn,
  };
}

/**
 * The `SHA256SUMS` lines, spooled to a file beside the partial backup as they come (a volume
 * of millions of files must not hold millions of lines in memory), read back at the end.
 */
class SumsSpool {
  #pending = "";
  #file?: Deno.FsFile;
  #size = 0;
  constructor(private readonly path: string) {}

  async push(line: string): Promise<void> {
    this.#pending += line;
    if (this.#pending.length >= 64 * 1024) await this.#flush();
  }

  async #flush(): Promise<void> {
    this.#file ??= await Deno.open(this.path, { createNew: true, write: true, mode: 0o600 });
    const data = encoder.encode(this.#pending);
    this.#pending = "";
    let written = 0;
    while (written < data.length) written += await this.#file.write(data.subarray(written));
    this.#size += data.length;
  }

  /** Flushes and closes; resolves with the total size in bytes. */
  async finish(): Promise<number> {
    await this.#flush();
    this.#file?.close();
    this.#file = undefined;
    return this.#size;
  }

  async readable(): Promise<ReadableStream<Uint8Array>> {
    return (await Deno.open(this.path, { read: true })).readable;
  }

  async dispose(): Promise<void> {
    try {
      this.#file?.close();
    } catch { /* already closed */ }
    await Deno.remove(this.path).catch(() => {});
  }
}

/** Where re-emitted entries go and what they are counted in. */
interface Emitter {
  controller: ReturnType<typeof createTarPacker>["controller"];
  sums: SumsSpool;
  progress: BackupProgress;
  req: BackupRequest;
  counter: HashingCounter;
  window: FlowWindow;
}

/** The entries of an engine tar stream. */
function streamEntries(raw: AsyncIterable<Uint8Array> & { on?: unknown }) {
  const readable = raw as unknown as Readable;
  readable.on?.("error", () => {}); // reaches the decoder through the web stream
  return (Readable.toWeb(readable) as ReadableStream<Uint8Array>)
    .pipeThrough(createTarDecoder({ strict: true }));
}

/**
 * Re-emits one volume's or bind's entries from a helper's archive under `prefix`. The
 * helper's root "v/" becomes the prefix itself; a bind of a single file (root "v") becomes
 * the member named by the prefix without its slash.
 */
async function addMount(
  docker: DockerClient,
  mount: HelperMount,
  emit: Emitter,
  where: { path: string; prefix: string },
): Promise<void> {
  const helper = await createHelper(docker, "backup", [mount]);
  // Aborted on failure: releases the engine's archive stream (it holds the helper's lock).
  const release = new AbortController();
  const signal = AbortSignal.any([release.signal, ...(emit.req.signal ? [emit.req.signal] : [])]);
  try {
    const body = await docker.download(`/containers/${helper}/archive`, {
      query: { path: where.path },
      signal,
    });
    try {
      await reemit(
        body.pipeThrough(createTarDecoder({ strict: true })),
        (n) => rename(n, where.prefix),
        emit,
      );
    } catch (err) {
      release.abort(err);
      throw err;
    }
  } finally {
    await removeHelper(docker, helper).catch(() => {});
  }
}

/** Copies entries into the backup under new names, hashing regular files for SHA256SUMS. */
async function reemit(
  entries: ReadableStream<ParsedTarEntry>,
  renameFn: (name: string) => string,
  emit: Emitter,
): Promise<void> {
  const { controller, sums, progress, req, counter, window } = emit;
  for await (const entry of entries) {
    const name = renameFn(entry.header.name);
    const header: TarHeader = { ...entry.header, name };
    if (header.type === "link" && header.linkname) {
      header.linkname = renameFn(header.linkname);
    }
    if (header.pax) {
      const { path: _p, linkpath: _l, size: _s, ...rest } = header.pax;
      header.pax = Object.keys(rest).length ? rest : undefined;
    }
    progress.member = name;
    req.onProgress?.(progress);
    const body = controller.add(header);
    if (header.type === undefined || header.type === "file") {
      // A plain loop, not a TransformStream per file: volumes hold millions of small files.
      const hash = createHash("sha256");
      const writer = body.getWriter();
      for await (const chunk of entry.body) {
        await window.room(chunk.length);
        hash.update(chunk);
        const mib = Math.floor(progress.bytesIn / 1048576);
        progress.bytesIn += chunk.length;
        if (Math.floor(progress.bytesIn / 1048576) !== mib) { // within large files, once a MiB
          progress.bytesOut = counter.bytes;
          req.onProgress?.(progress);
        }
        await writer.write(chunk);
      }
      await writer.close();
      await sums.push(sumLine(hash.digest("hex"), name));
      progress.bytesOut = counter.bytes;
      req.onProgress?.(progress);
    } else {
      await entry.body.cancel();
      await body.close();
    }
  }
}

/**
 * "v/a/b" → "<prefix>a/b"; the archive's root "v/" becomes the prefix, and a root that is
 * a single file ("v") becomes the prefix without its trailing slash.
 */
function rename(name: string, prefix: string): string {
  if (/^\.?\/?v$/.test(name)) return prefix.slice(0, -1);
  const rest = name.replace(/^\.?\/?v(\/|$)/, "");
  return prefix + rest;
}

/** `name`, or `name` with `-2`, `-3`… before the extension when the vault already has it. */
async function freeName(vaultDir: string, name: string): Promise<string> {
  const [, base, ext] = /^(.*?)(\.tar\.(?:gz|zst))$/.exec(name)!;
  for (let n = 1;; n++) {
    const candidate = n === 1 ? name : `${base}-${n}${ext}`;
    try {
      await Deno.lstat(`${vaultDir}/${candidate}`);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return candidate;
      throw err;
    }
  }
}

/** Flushes a file (or directory) to disk. */
export async function fsyncFile(path: string): Promise<void> {
  const f = await Deno.open(path, { read: true });
  try {
    await f.sync();
  } finally {
    f.close();
  }
}

/** Writes `text` to `path` through a temporary name, fsynced, then renamed. */
export async function writeAtomically(path: string, text: string): Promise<void> {
  const tmp = `${path}.${crypto.randomUUID().slice(0, 8)}.partial`;
  await Deno.writeTextFile(tmp, text, { mode: 0o600 });
  await fsyncFile(tmp);
  await Deno.rename(tmp, path);
}

/** Removes `.partial` leftovers of interrupted writes (called at start-up). */
export async function removePartials(vaultDir: string): Promise<number> {
  let removed = 0;
  try {
    for await (const entry of Deno.readDir(vaultDir)) {
      if (entry.name.endsWith(".partial")) {
        await Deno.remove(`${vaultDir}/${entry.name}`, { recursive: true });
        removed++;
      }
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  return removed;
}
