/**
 * Restoring a container backup onto this engine or another: verify first, check conflicts
 * before changing anything, fill the volumes through helpers in one pass over the archive,
 * then create the container with the recreate plan (its networks, ports, settings).
 * A failure removes what the restore created.
 */
import { createTarPacker, type TarHeader } from "modern-tar";
import type { DockerClient } from "../docker/client.ts";
import {
  type ContainerInspect,
  createContainer,
  listContainers,
  removeContainer,
  startContainer,
} from "../docker/containers.ts";
import { inspectImage, loadImage, pullImage } from "../docker/images.ts";
import {
  connectNetwork,
  createNetwork,
  inspectNetwork,
  listNetworks,
  removeNetwork,
} from "../docker/networks.ts";
import type { Manifest } from "./format.ts";
import { NetworkDefinitionSchema } from "./networks.ts";
import {
  createVolume,
  inspectVolume,
  removeVolume,
  type VolumeSummary,
} from "../docker/volumes.ts";
import { ConflictError, ValidationError } from "../errors.ts";
import { planCreate } from "../containers/recreate.ts";
import { createHelper, type HelperMount, removeHelper } from "./helper.ts";
import { assertVolumeUnused } from "../volumes/volumes.ts";
import { drain, openEntries, readHead, scanArchive, verifyBackup } from "./reader.ts";
import { FlowWindow } from "./_flow.ts";

/** What to do with one volume of the backup. */
export interface VolumeChoice {
  mode: "new" | "overwrite" | "skip";
  /** Name of the volume to restore into (default: the original, or `<name>_<volume>`). */
  target?: string;
}

/** What to do with one bind mount of the backup (default: skip — host paths are yours). */
export interface BindChoice {
  mode: "restore" | "skip";
  /** Host path to restore into and mount (default: the original source). */
  target?: string;
}

/** A restore request. */
export interface RestoreRequest {
  vaultDir: string;
  file: string;
  /** New container name (default: the original name). */
  name?: string;
  volumes?: Record<string, VolumeChoice>;
  /** Keyed by the bind's original host path. */
  binds?: Record<string, BindChoice>;
  /** Container port ("80/tcp") → host port. */
  ports?: Record<string, number>;
  /** Static IPs already taken: "keep" refuses the restore (default), "drop" takes free ones. */
  staticIps?: "keep" | "drop";
  /** Start after restoring (default: when the original was running). */
  start?: boolean;
  /** Restore even when verification fails. */
  force?: boolean;
  signal?: AbortSignal;
}

/** What a restore did. */
export interface RestoreResult {
  /** The (first) restored container. */
  id: string;
  name: string;
  /** Every restored container (one, or a stack's). */
  containers: { id: string; name: string }[];
  networksCreated: string[];
  volumes: { from: string; to: string; mode: string }[];
  binds: { from: string; to: string }[];
  image: "present" | "loaded" | "pulled";
  droppedNetworks: string[];
  droppedStaticIps: string[];
}

/** One stream of archive members going somewhere: a volume, a host path, the image store. */
interface Sink {
  /** Member name prefix (with "/"), or the exact name of a single-file bind. */
  prefix: string;
  /** The name the member gets in the sink's own tar. */
  renameMember: (rest: string) => string;
  open: () => Promise<SinkWriter>;
}

/** Restores a backup; nothing is changed until verification and conflict checks pass. */
export async function restoreBackup(
  docker: DockerClient,
  req: RestoreRequest,
): Promise<RestoreResult> {
  const path = `${req.vaultDir}/${req.file}`;
  if (!req.force) {
    const report = await verifyBackup(req.vaultDir, req.file);
    if (!report.ok) throw new ConflictError(`The backup fails verification: ${report.error}`);
  } else {
    // Forced past damage, never past members that would escape: those are checked first.
    const report = await scanArchive(path, req.file, { safetyOnly: true });
    if (report.unsafe.length) {
      throw new ConflictError(`The backup holds members that would escape: ${report.unsafe[0]}`);
    }
  }
  const head = await readHead(path);
  const { manifest } = head;
  const isStack = manifest.kind === "stack";
  if (isStack && req.name) {
    throw new ValidationError("A stack is restored under its containers' own names");
  }
  // One entry per container to create: its name and its saved configuration.
  const targets = [...head.containers].map(([original, config]) => ({
    name: isStack ? original : req.name ?? manifest.container.name,
    image: String((config.Config as { Image?: string } | undefined)?.Image ?? ""),
    imageId: String(config.Image ?? ""),
    wasRunning: String((config.State as { Status?: string } | undefined)?.Status) === "running",
    inspect: structuredClone(config) as unknown as ContainerInspect & Record<string, unknown>,
  }));

  orderByDependencies(targets);

  // Conflicts, all before any change.
  for (const t of targets) {
    const existing = await listContainers(docker, { filters: { name: [`^/${t.name}$`] } });
    if (existing.length) throw new ConflictError(`A container named "${t.name}" already exists`);
  }
  const volumes: RestoreResult["volumes"] = [];
  const recreated = new Map<string, VolumeSummary>();
  const newPrefix = targets.length === 1 ? targets[0].name : manifest.container.name;
  for (const v of manifest.volumes) {
    const choice = req.volumes?.[v.name] ?? { mode: "new" as const };
    if (choice.mode === "skip" || !v.included) continue;
    let target = choice.target ?? v.name;
    const exists = await inspectVolume(docker, target);
    if (choice.mode === "new" && exists) {
      if (choice.target) throw new ConflictError(`The volume "${target}" already exists`);
      target = `${newPrefix}_${v.anonymous ? v.name.slice(0, 12) : v.name}`;
      if (await inspectVolume(docker, target)) {
        throw new ConflictError(`The volumes "${v.name}" and "${target}" both exist already`);
      }
    }
    if (choice.mode === "overwrite" && exists) {
      await assertVolumeUnused(
        docker,
        target,
        "; stop and remove those containers or restore into a new volume",
      );
      recreated.set(target, exists);
    }
    volumes.push({ from: v.name, to: target, mode: choice.mode });
  }
  const binds: RestoreResult["binds"] = [];
  for (const b of manifest.binds) {
    const choice = req.binds?.[b.source];
    if (!choice || choice.mode === "skip") continue;
    if (!b.included || !b.member) {
      throw new ConflictError(`The bind mount "${b.source}" is not in this backup`);
    }
    binds.push({ from: b.source, to: assertHostPath(choice.target ?? b.source) });
  }
  for (const [port, hostPort] of Object.entries(req.ports ?? {})) {
    if (!/^\d+\/(tcp|udp|sctp)$/.test(port) || hostPort < 1 || hostPort > 65535) {
      throw new ValidationError(`Invalid port override ${port} → ${hostPort}`);
    }
  }
  const existingNetworks = new Set((await listNetworks(docker)).map((n) => n.name));
  const missingNetworks = [...head.networks.keys()].filter((n) => !existingNetworks.has(n));
  const networks = new Set([...existingNetworks, ...missingNetworks]);
  const droppedNetworks = new Set<string>();
  const droppedStaticIps: string[] = [];
  for (const t of targets) {
    const ports = isStack ? {} : req.ports ?? {};
    for (const d of adaptInspect(t.inspect, volumes, binds, ports, networks)) {
      droppedNetworks.add(d);
    }
    await assertPortsFree(docker, t.inspect);
    droppedStaticIps.push(...await checkStaticIps(docker, t.inspect, req.staticIps ?? "keep"));
  }

  // Images: here already, in the archive, or pulled (pulling changes no container).
  let image: RestoreResult["image"] = "present";
  for (const t of targets) {
    const config = t.inspect.Config as Record<string, unknown>;
    if (await inspectImage(docker, t.image)) continue;
    if (await inspectImage(docker, t.imageId)) {
      config.Image = t.imageId;
    } else if (manifest.image.included && !isStack) {
      image = "loaded";
    } else {
      try {
        await pullImage(docker, t.image, { signal: req.signal });
      } catch (err) {
        throw new ConflictError(
          `The image "${t.image}" is not on this engine and is not in the backup, and ` +
            `pulling it failed: ${(err as Error).message}`,
        );
      }
      image = "pulled";
    }
  }

  const sinks = restoreSinks(docker, manifest, volumes, binds, image === "loaded");
  const createdVolumes: string[] = [];
  const createdNetworks: string[] = [];
  const created: string[] = [];
  try {
    for (const name of missingNetworks) {
      const def = NetworkDefinitionSchema.parse({ ...head.networks.get(name), name });
      await createNetwork(docker, def);
      createdNetworks.push(name);
    }
    for (const p of volumes) {
      const old = recreated.get(p.to);
      if (old) await removeVolume(docker, p.to);
      const from = manifest.volumes.find((v) => v.name === p.from)!;
      await createVolume(docker, {
        name: p.to,
        driver: old?.driver ?? from.driver,
        options: old?.options ?? from.driverOpts,
        labels: old?.labels ?? { ...from.labels, "bosun.restored-from": req.file },
      });
      if (p.mode === "new") createdVolumes.push(p.to);
    }
    await fillSinks(path, sinks);
    const apiVersion = await docker.apiVersion();
    for (const t of targets) {
      if (image === "loaded" && !(await inspectImage(docker, t.image))) {
        (t.inspect.Config as Record<string, unknown>).Image = t.imageId;
      }
      const plan = planCreate(t.inspect, apiVersion);
      const id = await createContainer(docker, t.name, plan.body);
      created.push(id);
      for (const { network, endpoint } of plan.connectAfter) {
        await connectNetwork(docker, network, id, endpoint);
      }
    }
    for (const [i, t] of targets.entries()) {
      if (req.start ?? t.wasRunning) await startContainer(docker, created[i]);
    }
    return {
      id: created[0],
      name: targets[0].name,
      containers: targets.map((t, i) => ({ id: created[i], name: t.name })),
      volumes,
      binds,
      image,
      networksCreated: createdNetworks,
      droppedNetworks: [...droppedNetworks],
      droppedStaticIps,
    };
  } catch (err) {
    for (const id of created) await removeContainer(docker, id, { force: true }).catch(() => {});
    for (const v of createdVolumes) await removeVolume(docker, v, { force: true }).catch(() => {});
    for (const n of createdNetworks) await removeNetwork(docker, n).catch(() => {});
    throw err;
  }
}

/**
 * Sorts a stack's containers so each comes after the services it depends on (compose's
 * `com.docker.compose.depends_on` label, "db:service_started:false,cache:…"); a cycle keeps
 * the remaining order.
 */
export function orderByDependencies(
  targets: { name: string; inspect: ContainerInspect }[],
): void {
  const labels = (t: (typeof targets)[number]) =>
    ((t.inspect.Config as { Labels?: Record<string, string> | null }).Labels) ?? {};
  const service = new Map(targets.map((t) => [labels(t)["com.docker.compose.service"], t]));
  const ordered: typeof targets = [];
  const visiting = new Set<(typeof targets)[number]>();
  const visit = (t: (typeof targets)[number]) => {
    if (ordered.includes(t) || visiting.has(t)) return;
    visiting.add(t);
    for (const dep of (labels(t)["com.docker.compose.depends_on"] ?? "").split(",")) {
      const target = service.get(dep.split(":")[0]);
      if (target) visit(target);
    }
    ordered.push(t);
  };
  for (const t of targets) visit(t);
  targets.splice(0, targets.length, ...ordered);
}

/** Where each tree of the archive goes: volumes, binds (directory or file), the image. */
function restoreSinks(
  docker: DockerClient,
  manifest: Manifest,
  volumes: RestoreResult["volumes"],
  binds: RestoreResult["binds"],
  loadImageFromArchive: boolean,
): Sink[] {
  const sinks: Sink[] = [];
  for (const p of volumes) {
    sinks.push({
      prefix: `volumes/${p.from}/`,
      renameMember: (rest) => rest === "" ? "./" : rest,
      open: () => openHelperWriter(docker, { source: p.to, target: "/v" }, "/v"),
    });
  }
  for (const b of binds) {
    const member = manifest.binds.find((m) => m.source === b.from)!.member!;
    sinks.push({
      prefix: `${member}/`,
      renameMember: (rest) => rest === "" ? "./" : rest,
      open: () => openHelperWriter(docker, { type: "bind", source: b.to, target: "/v" }, "/v"),
    });
    const base = b.to.split("/").pop()!;
    const parent = b.to.slice(0, -base.length - 1) || "/";
    sinks.push({ // a bind of a single file: written into its parent directory
      prefix: member,
      renameMember: () => base,
      open: () => openHelperWriter(docker, { type: "bind", source: parent, target: "/v" }, "/v"),
    });
  }
  if (loadImageFromArchive) {
    sinks.push({
      prefix: "image/",
      renameMember: (rest) => rest,
      open: () => openImageLoader(docker),
    });
  }
  return sinks;
}

/** An absolute host path without `..`, `:` or control characters. */
function assertHostPath(path: string): string {
  // deno-lint-ignore no-control-regex -- control characters are exactly what is refused
  if (!path.startsWith("/") || path.split("/").includes("..") || /[:\x00-\x1f]/.test(path)) {
    throw new ValidationError(`"${path.slice(0, 80)}" is not an absolute host path`);
  }
  return path.replace(/\/+$/, "") || "/";
}

/** Refuses host ports that a running container already publishes (the engine would fail late). */
async function assertPortsFree(docker: DockerClient, inspect: ContainerInspect): Promise<void> {
  const host = (inspect.HostConfig ?? {}) as {
    PortBindings?: Record<string, { HostPort?: string }[] | null>;
  };
  const wanted = new Map<string, string>();
  for (const [port, bindings] of Object.entries(host.PortBindings ?? {})) {
    const protocol = port.split("/")[1] ?? "tcp";
    for (const b of bindings ?? []) {
      if (b.HostPort && b.HostPort !== "0") wanted.set(`${b.HostPort}/${protocol}`, port);
    }
  }
  if (!wanted.size) return;
  const conflicts: string[] = [];
  for (const c of await listContainers(docker, { all: false })) {
    for (const p of c.ports) {
      const key = `${p.publicPort}/${p.type}`;
      if (p.publicPort && wanted.has(key)) {
        conflicts.push(`host port ${key} is used by "${c.name}"`);
        wanted.delete(key);
      }
    }
  }
  if (conflicts.length) {
    throw new ConflictError(
      `Port conflict: ${conflicts.join("; ")}. Choose other host ports (port overrides)`,
    );
  }
}

/** Static IPs the restored container asks for that another container holds. */
async function checkStaticIps(
  docker: DockerClient,
  inspect: ContainerInspect,
  policy: "keep" | "drop",
): Promise<string[]> {
  const settings = (inspect.NetworkSettings ?? {}) as {
    Networks?: Record<string, { IPAMConfig?: { IPv4Address?: string } | null }>;
  };
  const taken: string[] = [];
  for (const [network, endpoint] of Object.entries(settings.Networks ?? {})) {
    const ip = endpoint.IPAMConfig?.IPv4Address;
    if (!ip) continue;
    const holder = (await inspectNetwork(docker, network)).containers.find((c) => c.ipv4 === ip);
    if (!holder) continue;
    if (policy === "keep") {
      throw new ConflictError(
        `The static IP ${ip} on "${network}" is used by "${holder.name}"; restore with ` +
          `staticIps "drop" to take a free address instead`,
      );
    }
    delete endpoint.IPAMConfig!.IPv4Address;
    taken.push(`${network}: ${ip}`);
  }
  return taken;
}

/** One pass over the archive: each sink's members go to its writer, the rest are skipped. */
async function fillSinks(path: string, sinks: Sink[]): Promise<void> {
  const { entries } = openEntries(path);
  let current: { sink: Sink; writer: SinkWriter } | undefined;
  try {
    for await (const entry of entries) {
      const name = entry.header.name;
      const sink = sinks.find((s) =>
        s.prefix.endsWith("/") ? name.startsWith(s.prefix) : name === s.prefix
      );
      if (current && current.sink !== sink) {
        await current.writer.finish();
        current = undefined;
      }
      if (!sink) {
        await drain(entry.body);
        continue;
      }
      current ??= { sink, writer: await sink.open() };
      const rest = sink.prefix.endsWith("/") ? name.slice(sink.prefix.length) : "";
      assertSafeMember(rest, entry.header);
      const header: TarHeader = { ...entry.header, name: sink.renameMember(rest) };
      if (header.type === "link" && header.linkname) {
        header.linkname = sink.renameMember(header.linkname.slice(sink.prefix.length));
      }
      const body = current.writer.add(header);
      if (header.type === undefined || header.type === "file") {
        const window = current.writer.window;
        await entry.body.pipeThrough(
          new TransformStream<Uint8Array, Uint8Array>({
            async transform(chunk, out) {
              await window.room(chunk.length);
              out.enqueue(chunk);
            },
          }),
        ).pipeTo(body);
      } else {
        await drain(entry.body);
        await body.close();
      }
    }
    await current?.writer.finish();
  } catch (err) {
    await current?.writer.finish().catch(() => {});
    throw err;
  }
}

/** Refuses members that would land outside the volume (`..`, absolute paths, device nodes). */
function assertSafeMember(rest: string, header: TarHeader): void {
  const parts = rest.split("/");
  if (rest.startsWith("/") || parts.includes("..")) {
    throw new ValidationError(`The archive member "${header.name}" would escape its volume`);
  }
  if (header.type === "character-device" || header.type === "block-device") {
    throw new ValidationError(`The archive member "${header.name}" is a device node`);
  }
  if (header.type === "link" && header.linkname?.split("/").includes("..")) {
    throw new ValidationError(`The hard link "${header.name}" points outside its volume`);
  }
}

/** A tar being written into a destination, with its flow window. */
interface SinkWriter {
  window: FlowWindow;
  add: (h: TarHeader) => WritableStream<Uint8Array>;
  finish: () => Promise<void>;
}

/** A tar stream piped into a body-taking engine call; `finish` ends it and waits. */
function tarInto(
  send: (body: ReadableStream<Uint8Array>) => Promise<void>,
  cleanup: () => Promise<void> = () => Promise.resolve(),
): SinkWriter {
  const { readable, controller } = createTarPacker();
  const window = new FlowWindow();
  const sent = send(readable.pipeThrough(window.tap()));
  sent.catch((err) => window.fail(err)); // awaited in finish; producers must not hang
  return {
    window,
    add: (h) => controller.add(h),
    finish: async () => {
      try {
        controller.finalize();
        await sent;
      } finally {
        await cleanup();
      }
    },
  };
}

/** Extracts into a helper's mount through `PUT /containers/{id}/archive`. */
async function openHelperWriter(
  docker: DockerClient,
  mount: HelperMount,
  path: string,
): Promise<SinkWriter> {
  const helper = await createHelper(docker, "restore", [mount]);
  return tarInto(
    async (body) => {
      await docker.upload("PUT", `/containers/${helper}/archive`, {
        query: { path },
        headers: { "Content-Type": "application/x-tar" },
        body,
      });
    },
    () => removeHelper(docker, helper).catch(() => {}),
  );
}

/** Loads the archive's `image/` members with `POST /images/load`. */
function openImageLoader(docker: DockerClient): Promise<SinkWriter> {
  return Promise.resolve(tarInto((body) => loadImage(docker, body)));
}

/**
 * Points the saved configuration at the restored volumes, applies port overrides and drops
 * networks this engine does not have (returned, so the caller can say so).
 */
function adaptInspect(
  inspect: ContainerInspect & Record<string, unknown>,
  plan: RestoreResult["volumes"],
  binds: RestoreResult["binds"],
  ports: Record<string, number>,
  networks: Set<string>,
): string[] {
  const rename = new Map(plan.map((p) => [p.from, p.to]));
  const moved = new Map(binds.filter((b) => b.from !== b.to).map((b) => [b.from, b.to]));
  const host = (inspect.HostConfig ?? {}) as Record<string, unknown>;
  host.Binds = ((host.Binds as string[] | null) ?? []).map((b) => {
    const [src, ...rest] = b.split(":");
    const to = rename.get(src) ?? moved.get(src);
    return to ? [to, ...rest].join(":") : b;
  });
  host.Mounts = ((host.Mounts as Record<string, unknown>[] | null) ?? []).map((m) => {
    const source = String(m.Source);
    if (m.Type === "volume" && rename.has(source)) return { ...m, Source: rename.get(source) };
    if (m.Type === "bind" && moved.has(source)) return { ...m, Source: moved.get(source) };
    return m;
  });
  const mounts = (inspect.Mounts as Record<string, unknown>[] | undefined) ?? [];
  inspect.Mounts = mounts.map((m) =>
    m.Type === "volume" && rename.has(String(m.Name))
      ? { ...m, Name: rename.get(String(m.Name)) }
      : m
  );
  const bindings = (host.PortBindings ?? {}) as Record<
    string,
    { HostIp: string; HostPort: string }[]
  >;
  for (const [port, hostPort] of Object.entries(ports)) {
    bindings[port] = [{ HostIp: bindings[port]?.[0]?.HostIp ?? "", HostPort: String(hostPort) }];
  }
  host.PortBindings = bindings;
  const settings = (inspect.NetworkSettings ?? {}) as { Networks?: Record<string, unknown> };
  const dropped: string[] = [];
  for (const net of Object.keys(settings.Networks ?? {})) {
    if (!networks.has(net)) {
      delete settings.Networks![net];
      dropped.push(net);
    }
  }
  const mode = String(host.NetworkMode ?? "default");
  if (dropped.includes(mode)) {
    host.NetworkMode = Object.keys(settings.Networks ?? {})[0] ?? "bridge";
  }
  inspect.HostConfig = host;
  return dropped;
}
