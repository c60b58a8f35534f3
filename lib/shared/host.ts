/** Host figures shared by the API, the top bar and the dashboard. */
import { z } from "zod";

/** One host reading. */
export const HostStatsSchema = z.object({
  time: z.string(),
  cpuPercent: z.number().nullable(),
  cpus: z.number(),
  loadAverage: z.array(z.number()),
  memory: z.object({ totalBytes: z.number(), availableBytes: z.number() }).nullable(),
  disk: z.object({ path: z.string(), totalBytes: z.number(), freeBytes: z.number() }).nullable(),
});
/** One host reading. */
export type HostStats = z.infer<typeof HostStatsSchema>;
