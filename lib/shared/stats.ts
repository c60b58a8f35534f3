/** Container statistics as the API and the UI see them. */
import { z } from "zod";

/** One computed stats point, the way `docker stats` computes it. */
export const StatsPointSchema = z.object({
  time: z.string(),
  cpuPercent: z.number(),
  memoryBytes: z.number(),
  memoryLimitBytes: z.number(),
  memoryPercent: z.number(),
  networkRxBytes: z.number(),
  networkTxBytes: z.number(),
  blockReadBytes: z.number(),
  blockWriteBytes: z.number(),
  pids: z.number(),
});
/** One computed stats point. */
export type StatsPoint = z.infer<typeof StatsPointSchema>;

/** The cached stats of one container, with its recent history. */
export const ContainerStatsSchema = z.object({
  id: z.string(),
  name: z.string(),
  latest: StatsPointSchema.nullable(),
  history: z.array(StatsPointSchema),
  error: z.string().optional(),
});
/** The cached stats of one container. */
export type ContainerStats = z.infer<typeof ContainerStatsSchema>;

/** The stats cache as served by `GET /api/stats`. */
export const StatsSnapshotSchema = z.object({
  refreshedAt: z.string().nullable(),
  nextRefreshAt: z.string().nullable(),
  refreshing: z.boolean(),
  intervalSeconds: z.number(),
  containers: z.array(ContainerStatsSchema),
});
/** The stats cache as served by `GET /api/stats`. */
export type StatsSnapshot = z.infer<typeof StatsSnapshotSchema>;

export { formatBytes } from "./format.ts";
