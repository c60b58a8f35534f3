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
import { inspectImage } from "../docker/images.ts";
import { connectNetwork, listNetworks } from "../docker/networks.ts";
import { createVolume, inspectVolume, removeVolume } from "../docker/volumes.ts";
import { ConflictError, ValidationError } from "../errors.ts";
import { planCreate } from "../containers/recreate.ts";
import { createHelper, removeHelper } from "./helper.ts";
import { openEntries, readHead, verifyBackup } from "./reader.ts";
import { FlowWindow } from "./_flow.ts";

/** What to do with one volume of the backup. */
export interface VolumeChoice {
  mode: "new" | "overwrite" | "skip";
  /** Name of the volume to restore into (default: the original, or `<name>_<volume>`). */
  target?: string;
}

/** A restore request. */
export interface RestoreRequest {
  vaultDir: string;
  file: string;
  /** New container name (default: the original name). */
  name?: string;
  volumes?: Record<string, VolumeChoice>;
  /** Container port ("80/tcp") → host port. */
  ports?: Record<string, number>;
  /** Start after restoring (default: when the original was running). */
  start?: boolean;
  /** Restore even when verification fails. */
  force?: boolean;
}

/** What a restore did. */
export interface RestoreResult {
  id: string;
  name: string;
  volumes: { from: string; to: string; mode: string }[];
  droppedNetworks: string[];
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
  }
  const { manifest, container } = await readHead(path);
  const inspect = structuredClone(container) as unknown as
    & ContainerInspect
    & Record<string, unknown>;
  const name = req.name ?? manifest.container.name;

  // Conflicts, all before any change.
  const existing = await listContainers(docker, { filters: { name: [`^/${name}$`] } });
  if (existing.length) throw new ConflictError(`A container named "${name}" already exists`);
  const image = manifest.container.image;
  if (
    !(await inspectImage(docker, image)) &&
    !(await inspectImage(docker, manifest.container.imageId))
  ) {
    throw new ConflictError(`The image "${image}" is not on this engine; pull or load it first`);
  }
  const plan: RestoreResult["volumes"] = [];
  for (const v of manifest.volumes) {
    const choice = req.volumes?.[v.name] ?? { mode: "new" as const };
    if (choice.mode === "skip") continue;
    let target = choice.target ?? v.name;
    const exists = await inspectVolume(docker, target);
    if (choice.mode === "new" && exists) {
      if (choice.target) throw new ConflictError(`The volume "${target}" already exists`);
      target = `${name}_${v.anonymous ? v.name.slice(0, 12) : v.name}`;
      if (await inspectVolume(docker, target)) {
        throw new ConflictError(`The volumes "${v.name}" and "${target}" both exist already`);
      }
    }
    plan.push({ from: v.name, to: target, mode: choice.mode });
  }
  for (const [port, hostPort] of Object.entries(req.ports ?? {})) {
    if (!/^\d+\/(tcp|udp|sctp)$/.test(port) || hostPort < 1 || hostPort > 65535) {
      throw new ValidationError(`Invalid port override ${port} → ${hostPort}`);
    }
  }

  const createdVolumes: string[] = [];
  let containerId: string | undefined;
  try {
    for (const p of plan) {
      if (p.mode === "overwrite" && await inspectVolume(docker, p.to)) {
        await removeVolume(docker, p.to); // refused by the engine while a container uses it
      }
      await createVolume(docker, { name: p.to, labels: { "bosun.restored-from": req.file } });
      if (p.mode === "new") createdVolumes.push(p.to);
    }
    await fillVolumes(docker, path, plan);
    const networks = new Set((await listNetworks(docker)).map((n) => n.name));
    const droppedNetworks = adaptInspect(inspect, plan, req.ports ?? {}, networks);
    const createPlan = planCreate(inspect, await docker.apiVersion());
    containerId = await createContainer(docker, name, createPlan.body);
    for (const { network, endpoint } of createPlan.connectAfter) {
      await connectNetwork(docker, network, containerId, endpoint);
    }
    if (req.start ?? manifest.container.state === "running") {
      await startContainer(docker, containerId);
    }
    return { id: containerId, name, volumes: plan, droppedNetworks };
  } catch (err) {
    if (containerId) await removeContainer(docker, containerId, { force: true }).catch(() => {});
    for (const v of createdVolumes) await removeVolume(docker, v, { force: true }).catch(() => {});
    throw err;
  }
}

/** One pass over the archive: each volume's members go to a helper with that volume. */
async function fillVolumes(
  docker: DockerClient,
  path: string,
  plan: RestoreResult["volumes"],
): Promise<void> {
  const targets = new Map(plan.map((p) => [`volumes/${p.from}/`, p.to]));
  const { entries } = openEntries(path);
  let current: Awaited<ReturnType<typeof openVolumeWriter>> | undefined;
  try {
    for await (const entry of entries) {
      const name = entry.header.name;
      const prefix = name.startsWith("volumes/") ? name.split("/").slice(0, 2).join("/") + "/" : "";
      if (current && current.prefix !== prefix) {
        await current.finish();
        current = undefined;
      }
      const volume = targets.get(prefix);
      if (!volume) {
        await drain(entry.body);
        continue;
      }
      current ??= await openVolumeWriter(docker, prefix, volume);
      const rest = name.slice(prefix.length);
      assertSafeMember(rest, entry.header);
      const header: TarHeader = { ...entry.header, name: rest === "" ? "./" : rest };
      if (header.type === "link" && header.linkname) {
        header.linkname = header.linkname.slice(prefix.length);
      }
      const body = current.add(header);
      if (header.type === undefined || header.type === "file") {
        const window = current.window;
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
    await current?.finish();
  } catch (err) {
    await current?.finish().catch(() => {});
    throw err;
  }
}

/** Reads a member's body to its end (skipping by cancel can stall the decoder). */
async function drain(body: ReadableStream<Uint8Array>): Promise<void> {
  for await (const _ of body) { /* skipped */ }
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

async function openVolumeWriter(docker: DockerClient, prefix: string, volume: string) {
  const helper = await createHelper(docker, "restore", [{ volume, target: "/v" }]);
  const { readable, controller } = createTarPacker();
  const window = new FlowWindow();
  const upload = docker.stream("PUT", `/containers/${helper}/archive`, {
    query: { path: "/v" },
    headers: { "Content-Type": "application/x-tar" },
    body: readable.pipeThrough(window.tap()),
  }).then(async (res) => {
    for await (const _ of res) { /* drain the empty answer */ }
  });
  return {
    prefix,
    window,
    add: (h: TarHeader) => controller.add(h),
    finish: async () => {
      try {
        controller.finalize();
        await upload;
      } finally {
        await removeHelper(docker, helper).catch(() => {});
      }
    },
  };
}

/**
 * Points the saved configuration at the restored volumes, applies port overrides and drops
 * networks this engine does not have (returned, so the caller can say so).
 */
function adaptInspect(
  inspect: ContainerInspect & Record<string, unknown>,
  plan: RestoreResult["volumes"],
  ports: Record<string, number>,
  networks: Set<string>,
): string[] {
  const rename = new Map(plan.map((p) => [p.from, p.to]));
  const host = (inspect.HostConfig ?? {}) as Record<string, unknown>;
  host.Binds = ((host.Binds as string[] | null) ?? []).map((b) => {
    const [src, ...rest] = b.split(":");
    return rename.has(src) ? [rename.get(src), ...rest].join(":") : b;
  });
  host.Mounts = ((host.Mounts as Record<string, unknown>[] | null) ?? []).map((m) =>
    m.Type === "volume" && rename.has(String(m.Source))
      ? { ...m, Source: rename.get(String(m.Source)) }
      : m
  );
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
