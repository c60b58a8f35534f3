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
