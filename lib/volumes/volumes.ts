/**
 * Volumes as the Volumes page shows them: the engine's list, which containers use each
 * (running or not), and — on demand, since `/system/df` walks every volume — their sizes.
 * Removal refuses a volume in use and names its users.
 */
import type { DockerClient } from "../docker/client.ts";
import { listContainers } from "../docker/containers.ts";
import { getVolumeUsage } from "../docker/system.ts";
import { inspectVolume, listVolumes, removeVolume } from "../docker/volumes.ts";
import { ConflictError, NotFoundError } from "../errors.ts";

/** One volume with its users. */
export interface VolumeView {
  name: string;
  driver: string;
  mountpoint: string;
  createdAt: string | null;
  labels: Record<string, string>;
  usedBy: { name: string; state: string }[];
  anonymous: boolean;
  size: number | null;
}

/** Every volume; `withSizes` asks the engine for sizes too (slower). */
export async function listVolumeViews(
  docker: DockerClient,
  options: { withSizes?: boolean; signal?: AbortSignal } = {},
): Promise<VolumeView[]> {
  const [volumes, containers, usage] = await Promise.all([
    listVolumes(docker, options),
    listContainers(docker, options),
    options.withSizes ? getVolumeUsage(docker, options) : Promise.resolve(undefined),
  ]);
  const users = new Map<string, { name: string; state: string }[]>();
  for (const c of containers) {
    for (const m of c.mounts) {
      if (m.type !== "volume" || !m.name) continue;
      const list = users.get(m.name) ?? [];
      list.push({ name: c.name, state: c.state });
      users.set(m.name, list);
    }
  }
  return volumes.map((v) => ({
    name: v.name,
    driver: v.driver,
    mountpoint: v.mountpoint,
    createdAt: v.createdAt ?? null,
    labels: v.labels,
    usedBy: users.get(v.name) ?? [],
    anonymous: /^[0-9a-f]{64}$/.test(v.name),
    size: usage?.get(v.name)?.size ?? null,
  })).sort((a, b) => a.name.localeCompare(b.name));
}

/** Throws a ConflictError naming the containers (running or stopped) that use the volume. */
export async function assertVolumeUnused(
  docker: DockerClient,
  name: string,
  advice = "",
): Promise<void> {
  const users = await listContainers(docker, { filters: { volume: [name] } });
  if (users.length) {
    throw new ConflictError(
      `The volume "${name}" is in use by ${users.map((u) => `"${u.name}"`).join(", ")}${advice}`,
    );
  }
}

/** Removes a volume unless a container (running or stopped) uses it. */
export async function removeUnusedVolume(docker: DockerClient, name: string): Promise<void> {
  if (!(await inspectVolume(docker, name))) throw new NotFoundError(`No volume "${name}"`);
  await assertVolumeUnused(docker, name);
  await removeVolume(docker, name);
}
