/** The engine overview shown on the dashboard. */
import { z } from "zod";

/** Engine version, storage and object counts. */
export const EngineOverviewSchema = z.object({
  serverVersion: z.string(),
  apiVersion: z.string(),
  storageDriver: z.string(),
  operatingSystem: z.string(),
  kernelVersion: z.string(),
  cpus: z.number(),
  memoryBytes: z.number(),
  containers: z.object({
    total: z.number(),
    running: z.number(),
    paused: z.number(),
    stopped: z.number(),
  }),
  images: z.number(),
  volumes: z.number(),
  networks: z.number(),
});
/** Engine version, storage and object counts. */
export type EngineOverview = z.infer<typeof EngineOverviewSchema>;
