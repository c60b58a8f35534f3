/** System calls of the Engine API: version, info. */
import { z } from "zod";
import type { DockerClient } from "./client.ts";

/** What Bosun shows of the engine's `/version`. */
export const EngineVersionSchema = z.object({
  Version: z.string(),
  ApiVersion: z.string(),
  MinAPIVersion: z.string().optional(),
  Os: z.string().optional(),
  Arch: z.string().optional(),
}).transform((v) => ({
  version: v.Version,
  apiVersion: v.ApiVersion,
  minApiVersion: v.MinAPIVersion,
  os: v.Os,
  arch: v.Arch,
}));
/** The engine's version summary. */
export type EngineVersion = z.output<typeof EngineVersionSchema>;

/** `GET /version`. */
export function getVersion(
  docker: DockerClient,
  options: { signal?: AbortSignal } = {},
): Promise<EngineVersion> {
  return docker.request("GET", "/version", EngineVersionSchema, options);
}

/** What Bosun shows of the engine's `/info`. */
export const EngineInfoSchema = z.object({
  Name: z.string(),
  Containers: z.number(),
  ContainersRunning: z.number(),
  ContainersPaused: z.number(),
  ContainersStopped: z.number(),
  Images: z.number(),
  NCPU: z.number(),
  MemTotal: z.number(),
  OperatingSystem: z.string().optional(),
  ServerVersion: z.string().optional(),
  Driver: z.string().optional(),
  KernelVersion: z.string().optional(),
  DockerRootDir: z.string().optional(),
}).transform((v) => ({
  name: v.Name,
  containers: v.Containers,
  running: v.ContainersRunning,
  paused: v.ContainersPaused,
  stopped: v.ContainersStopped,
  images: v.Images,
  cpus: v.NCPU,
  memoryBytes: v.MemTotal,
  operatingSystem: v.OperatingSystem,
  serverVersion: v.ServerVersion,
  storageDriver: v.Driver,
  kernelVersion: v.KernelVersion,
  rootDir: v.DockerRootDir,
}));
/** The engine's host summary. */
export type EngineInfo = z.output<typeof EngineInfoSchema>;

/** `GET /info`. */
export function getInfo(
  docker: DockerClient,
  options: { signal?: AbortSignal } = {},
): Promise<EngineInfo> {
  return docker.request("GET", "/info", EngineInfoSchema, options);
}

/** The volume part of `GET /system/df`: each volume's size and reference count. */
export const VolumeUsageSchema = z.object({
  Volumes: z.array(z.looseObject({
    Name: z.string(),
    UsageData: z.object({ Size: z.number(), RefCount: z.number() }).nullable().optional(),
  })).nullable().default([]),
}).transform((d) =>
  new Map(
    (d.Volumes ?? []).map((v) => [v.Name, {
      size: v.UsageData && v.UsageData.Size >= 0 ? v.UsageData.Size : null,
      refCount: v.UsageData?.RefCount ?? null,
    }]),
  )
);

/** `GET /system/df?type=volume`: sizes of the volumes (slow on big hosts; call on demand). */
export function getVolumeUsage(
  docker: DockerClient,
  options: { signal?: AbortSignal } = {},
): Promise<Map<string, { size: number | null; refCount: number | null }>> {
  return docker.request("GET", "/system/df", VolumeUsageSchema, {
    query: { type: "volume" },
    signal: options.signal,
    timeoutMs: 120_000,
  });
}
