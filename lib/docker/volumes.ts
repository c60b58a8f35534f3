/** Volume calls of the Engine API, one function per call. */
import { z } from "zod";
import type { DockerClient } from "./client.ts";

/** One volume as listed. */
export const VolumeSummarySchema = z.looseObject({
  Name: z.string(),
  Driver: z.string(),
  Mountpoint: z.string().default(""),
  CreatedAt: z.string().optional(),
  Labels: z.record(z.string(), z.string()).nullable().default({}),
}).transform((v) => ({
  name: v.Name,
  driver: v.Driver,
  mountpoint: v.Mountpoint,
  createdAt: v.CreatedAt,
  labels: v.Labels ?? {},
}));
/** One volume as listed. */
export type VolumeSummary = z.output<typeof VolumeSummarySchema>;

/** `GET /volumes`. */
export async function listVolumes(
  docker: DockerClient,
  options: { signal?: AbortSignal } = {},
): Promise<VolumeSummary[]> {
  const body = await docker.request(
    "GET",
    "/volumes",
    z.object({ Volumes: z.array(VolumeSummarySchema).nullable().default([]) }),
    options,
  );
  return body.Volumes ?? [];
}
