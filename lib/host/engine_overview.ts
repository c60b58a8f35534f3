/** The engine's version, storage driver and object counts, in three cheap calls. */
import type { DockerClient } from "../docker/client.ts";
import { listNetworks } from "../docker/networks.ts";
import { getInfo } from "../docker/system.ts";
import { listVolumes } from "../docker/volumes.ts";
import type { EngineOverview } from "../shared/engine.ts";

/** Reads `/info`, `/volumes` and `/networks` together. */
export async function getEngineOverview(
  docker: DockerClient,
  options: { signal?: AbortSignal } = {},
): Promise<EngineOverview> {
  const [info, volumes, networks, apiVersion] = await Promise.all([
    getInfo(docker, options),
    listVolumes(docker, options),
    listNetworks(docker, options),
    docker.apiVersion(options.signal),
  ]);
  return {
    serverVersion: info.serverVersion ?? "unknown",
    apiVersion,
    storageDriver: info.storageDriver ?? "unknown",
    operatingSystem: info.operatingSystem ?? "unknown",
    kernelVersion: info.kernelVersion ?? "unknown",
    cpus: info.cpus,
    memoryBytes: info.memoryBytes,
    containers: {
      total: info.containers,
      running: info.running,
      paused: info.paused,
      stopped: info.stopped,
    },
    images: info.images,
    volumes: volumes.length,
    networks: networks.length,
  };
}
