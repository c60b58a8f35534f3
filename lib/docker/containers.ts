/** Container calls of the Engine API, one function per call. */
import { z } from "zod";
import { readJsonLines } from "./_json_lines.ts";
import type { DockerClient } from "./client.ts";
import { DockerNotFoundError } from "./errors.ts";

const PortSchema = z.object({
  IP: z.string().optional(),
  PrivatePort: z.number(),
  PublicPort: z.number().optional(),
  Type: z.string(),
});

/** One row of `GET /containers/json`, converted to Bosun's camelCase. */
export const ContainerSummarySchema = z.object({
  Id: z.string(),
  Names: z.array(z.string()).nullable().default([]),
  Image: z.string(),
  ImageID: z.string().optional().default(""),
  Command: z.string().optional().default(""),
  Created: z.number(),
  State: z.string(),
  Status: z.string(),
  Ports: z.array(PortSchema).nullable().default([]),
  Labels: z.record(z.string(), z.string()).nullable().default({}),
  Mounts: z.array(z.looseObject({ Type: z.string().default(""), Name: z.string().optional() }))
    .nullable().default([]),
  NetworkSettings: z.looseObject({
    Networks: z.record(
      z.string(),
      z.looseObject({ NetworkID: z.string().default(""), IPAddress: z.string().default("") }),
    ).nullable().default({}),
  }).nullable().optional(),
}).transform((c) => ({
  id: c.Id,
  name: (c.Names?.[0] ?? "").replace(/^\//, ""),
  image: c.Image,
  imageId: c.ImageID,
  command: c.Command,
  created: c.Created,
  state: c.State,
  status: c.Status,
  ports: (c.Ports ?? []).map((p) => ({
    ip: p.IP,
    privatePort: p.PrivatePort,
    publicPort: p.PublicPort,
    type: p.Type,
  })),
  labels: c.Labels ?? {},
  mounts: (c.Mounts ?? []).map((m) => ({ type: m.Type, name: m.Name ?? null })),
  networks: Object.entries(c.NetworkSettings?.Networks ?? {}).map(([name, n]) => ({
    name,
    id: n.NetworkID,
    ip: n.IPAddress,
  })),
}));
/** A container as listed. */
export type ContainerSummary = z.output<typeof ContainerSummarySchema>;

/** `GET /containers/json`: all containers (running or not) unless `all` is false. */
export function listContainers(
  docker: DockerClient,
  options: { all?: boolean; filters?: Record<string, string[]>; signal?: AbortSignal } = {},
): Promise<ContainerSummary[]> {
  return docker.request("GET", "/containers/json", z.array(ContainerSummarySchema), {
    query: {
      all: options.all ?? true,
      filters: options.filters ? JSON.stringify(options.filters) : undefined,
    },
    signal: options.signal,
  });
}

/**
 * The engine's full inspect output. Loose: every field the engine sends survives, so a
 * container recreated from it keeps all its settings.
 */
export const ContainerInspectSchema = z.looseObject({
  Id: z.string(),
  Name: z.string(),
  State: z.looseObject({ Status: z.string() }),
  Config: z.looseObject({ Image: z.string() }),
});
/** A container's inspect output. */
export type ContainerInspect = z.output<typeof ContainerInspectSchema>;

/** `GET /containers/{id}/json`. */
export function inspectContainer(
  docker: DockerClient,
  id: string,
  options: { signal?: AbortSignal } = {},
): Promise<ContainerInspect> {
  return docker.request(
    "GET",
    `/containers/${encodeURIComponent(id)}/json`,
    ContainerInspectSchema,
    options,
  );
}

/** `GET /containers/{id}/json`, or undefined when the engine has no such container. */
export async function findContainer(
  docker: DockerClient,
  id: string,
  options: { signal?: AbortSignal } = {},
): Promise<ContainerInspect | undefined> {
  try {
    return await inspectContainer(docker, id, options);
  } catch (err) {
    if (err instanceof DockerNotFoundError) return undefined;
    throw err;
  }
}

const idPath = (id: string, action = "") =>
  `/containers/${encodeURIComponent(id)}${action ? `/${action}` : ""}`;

/** `POST /containers/{id}/start`; 304 (already running) counts as done. */
export async function startContainer(
  docker: DockerClient,
  id: string,
  options: { signal?: AbortSignal } = {},
): Promise<void> {
  await docker.requestEmpty("POST", idPath(id, "start"), options);
}

/** `POST /containers/{id}/stop`: SIGTERM, then SIGKILL after `timeoutSeconds`. */
export async function stopContainer(
  docker: DockerClient,
  id: string,
  options: { timeoutSeconds?: number; signal?: AbortSignal } = {},
): Promise<void> {
  const t = options.timeoutSeconds;
  await docker.requestEmpty("POST", idPath(id, "stop"), {
    query: { t },
    signal: options.signal,
    timeoutMs: t === undefined ? undefined : (t + 30) * 1000,
  });
}

/** `POST /containers/{id}/restart`. */
export async function restartContainer(
  docker: DockerClient,
  id: string,
  options: { timeoutSeconds?: number; signal?: AbortSignal } = {},
): Promise<void> {
  const t = options.timeoutSeconds;
  await docker.requestEmpty("POST", idPath(id, "restart"), {
    query: { t },
    signal: options.signal,
    timeoutMs: t === undefined ? undefined : (t + 30) * 1000,
  });
}

/** `POST /containers/{id}/kill` with a signal name (default SIGKILL). */
export async function killContainer(
  docker: DockerClient,
  id: string,
  options: { signalName?: string; signal?: AbortSignal } = {},
): Promise<void> {
  await docker.requestEmpty("POST", idPath(id, "kill"), {
    query: { signal: options.signalName },
    signal: options.signal,
  });
}

/** `POST /containers/{id}/pause`. */
export async function pauseContainer(
  docker: DockerClient,
  id: string,
  options: { signal?: AbortSignal } = {},
): Promise<void> {
  await docker.requestEmpty("POST", idPath(id, "pause"), options);
}

/** `POST /containers/{id}/unpause`. */
export async function unpauseContainer(
  docker: DockerClient,
  id: string,
  options: { signal?: AbortSignal } = {},
): Promise<void> {
  await docker.requestEmpty("POST", idPath(id, "unpause"), options);
}

/** `POST /containers/{id}/rename?name=`. */
export async function renameContainer(
  docker: DockerClient,
  id: string,
  name: string,
  options: { signal?: AbortSignal } = {},
): Promise<void> {
  await docker.requestEmpty("POST", idPath(id, "rename"), { query: { name }, ...options });
}

/** `DELETE /containers/{id}` with `force` (kill first) and `volumes` (anonymous volumes). */
export async function removeContainer(
  docker: DockerClient,
  id: string,
  options: { force?: boolean; volumes?: boolean; signal?: AbortSignal } = {},
): Promise<void> {
  await docker.requestEmpty("DELETE", idPath(id), {
    query: { force: options.force ?? false, v: options.volumes ?? false },
    signal: options.signal,
  });
}

/** `GET /containers/{id}/top`: the processes running in a container. */
export const ContainerTopSchema = z.object({
  Titles: z.array(z.string()),
  Processes: z.array(z.array(z.string())).nullable().default([]),
}).transform((t) => ({ titles: t.Titles, processes: t.Processes ?? [] }));
/** A container's process table. */
export type ContainerTop = z.output<typeof ContainerTopSchema>;

/** `GET /containers/{id}/top?ps_args=`. */
export function topContainer(
  docker: DockerClient,
  id: string,
  options: { psArgs?: string; signal?: AbortSignal } = {},
): Promise<ContainerTop> {
  return docker.request("GET", idPath(id, "top"), ContainerTopSchema, {
    query: { ps_args: options.psArgs },
    signal: options.signal,
  });
}

/** The engine's raw stats sample (`GET /containers/{id}/stats`), fields Bosun computes from. */
export const StatsSampleSchema = z.looseObject({
  read: z.string(),
  preread: z.string().optional(),
  pids_stats: z.object({ current: z.number().optional() }).optional(),
  cpu_stats: z.object({
    cpu_usage: z.object({
      total_usage: z.number(),
      percpu_usage: z.array(z.number()).nullable().optional(),
    }),
    system_cpu_usage: z.number().optional(),
    online_cpus: z.number().optional(),
  }),
  precpu_stats: z.object({
    cpu_usage: z.object({ total_usage: z.number() }),
    system_cpu_usage: z.number().optional(),
  }),
  memory_stats: z.object({
    usage: z.number().optional(),
    limit: z.number().optional(),
    stats: z.record(z.string(), z.number()).optional(),
  }),
  networks: z.record(z.string(), z.object({ rx_bytes: z.number(), tx_bytes: z.number() }))
    .optional(),
  blkio_stats: z.object({
    io_service_bytes_recursive: z.array(z.object({ op: z.string(), value: z.number() }))
      .nullable().optional(),
  }).optional(),
});
/** One raw stats sample. */
export type StatsSample = z.output<typeof StatsSampleSchema>;

/** `GET /containers/{id}/stats?stream=false&one-shot=…`: one sample with its predecessor. */
export function getContainerStats(
  docker: DockerClient,
  id: string,
  options: { signal?: AbortSignal } = {},
): Promise<StatsSample> {
  return docker.request("GET", idPath(id, "stats"), StatsSampleSchema, {
    query: { stream: false },
    signal: options.signal,
  });
}

/** `GET /containers/{id}/stats?stream=true`: a sample about every second until aborted. */
export async function* streamContainerStats(
  docker: DockerClient,
  id: string,
  options: { signal?: AbortSignal } = {},
): AsyncGenerator<StatsSample> {
  const res = await docker.stream("GET", idPath(id, "stats"), {
    query: { stream: true },
    signal: options.signal,
  });
  try {
    yield* readJsonLines(res, StatsSampleSchema);
  } finally {
    res.destroy();
  }
}

/** `POST /containers/create?name=`: resolves with the new container's id. */
export async function createContainer(
  docker: DockerClient,
  name: string | undefined,
  body: Record<string, unknown>,
  options: { signal?: AbortSignal } = {},
): Promise<string> {
  const created = await docker.request(
    "POST",
    "/containers/create",
    z.object({ Id: z.string(), Warnings: z.array(z.string()).nullable().optional() }),
    { query: { name }, body, signal: options.signal },
  );
  return created.Id;
}
