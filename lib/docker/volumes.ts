/** Volume calls of the Engine API, one function per call. */
import { z } from "zod";
import { compareApiVersions, type DockerClient } from "./client.ts";
import { DockerNotFoundError } from "./errors.ts";

/** One volume as listed. */
export const VolumeSummarySchema = z.looseObject({
  Name: z.string(),
  Driver: z.string(),
  Mountpoint: z.string().default(""),
  CreatedAt: z.string().optional(),
  Labels: z.record(z.string(), z.string()).nullable().default({}),
  Options: z.record(z.string(), z.string()).nullable().default({}),
}).transform((v) => ({
  name: v.Name,
  driver: v.Driver,
  mountpoint: v.Mountpoint,
  createdAt: v.CreatedAt,
  labels: v.Labels ?? {},
  options: v.Options ?? {},
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

/** `POST /volumes/create`. */
export async function createVolume(
  docker: DockerClient,
  spec: {
    name: string;
    driver?: string;
    labels?: Record<string, string>;
    options?: Record<string, string>;
  },
  options: { signal?: AbortSignal } = {},
): Promise<VolumeSummary> {
  return await docker.request("POST", "/volumes/create", VolumeSummarySchema, {
    body: {
      Name: spec.name,
      Driver: spec.driver ?? "local",
      Labels: spec.labels ?? {},
      DriverOpts: spec.options ?? {},
    },
    signal: options.signal,
  });
}

/** `GET /volumes/{name}`; undefined when there is none. */
export async function inspectVolume(
  docker: DockerClient,
  name: string,
  options: { signal?: AbortSignal } = {},
): Promise<VolumeSummary | undefined> {
  try {
    return await docker.request(
      "GET",
      `/volumes/${encodeURIComponent(name)}`,
      VolumeSummarySchema,
      options,
    );
  } catch (err) {
    if (err instanceof DockerNotFoundError) return undefined;
    throw err;
  }
}

/** `DELETE /volumes/{name}`. */
export async function removeVolume(
  docker: DockerClient,
  name: string,
  options: { force?: boolean; signal?: AbortSignal } = {},
): Promise<void> {
  await docker.requestEmpty("DELETE", `/volumes/${encodeURIComponent(name)}`, {
    query: { force: options.force ?? false },
    signal: options.signal,
  });
}

/** `POST /volumes/prune`: removes unused volumes (all of them, not only anonymous ones). */
export async function pruneVolumes(
  docker: DockerClient,
  options: { signal?: AbortSignal } = {},
): Promise<{ deleted: string[]; spaceReclaimed: number }> {
  const body = await docker.request(
    "POST",
    "/volumes/prune",
    z.object({
      VolumesDeleted: z.array(z.string()).nullable().default([]),
      SpaceReclaimed: z.number().default(0),
    }),
    {
      // API 1.42 made prune skip named volumes unless asked; before, it removed all unused.
      query: compareApiVersions(await docker.apiVersion(), "1.42") >= 0
        ? { filters: JSON.stringify({ all: ["true"] }) }
        : {},
      signal: options.signal,
    },
  );
  return { deleted: body.VolumesDeleted ?? [], spaceReclaimed: body.SpaceReclaimed };
}
