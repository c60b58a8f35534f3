/** Swarm calls of the Engine API (services, tasks, nodes), one function per call. */
import { z } from "zod";
import type { DockerClient } from "./client.ts";

/** This engine's swarm role, from `GET /info`. */
export async function swarmState(
  docker: DockerClient,
  options: { signal?: AbortSignal } = {},
): Promise<{ state: string; manager: boolean; nodeId: string }> {
  const info = await docker.request(
    "GET",
    "/info",
    z.looseObject({
      Swarm: z.looseObject({
        LocalNodeState: z.string().default("inactive"),
        ControlAvailable: z.boolean().default(false),
        NodeID: z.string().default(""),
      }).default({ LocalNodeState: "inactive", ControlAvailable: false, NodeID: "" }),
    }),
    options,
  );
  return {
    state: info.Swarm.LocalNodeState,
    manager: info.Swarm.ControlAvailable,
    nodeId: info.Swarm.NodeID,
  };
}

/** A service as listed (its spec kept whole, for updates). */
export const ServiceSchema = z.looseObject({
  ID: z.string(),
  Version: z.looseObject({ Index: z.number() }),
  Spec: z.looseObject({
    Name: z.string(),
    Labels: z.record(z.string(), z.string()).nullable().default({}),
    TaskTemplate: z.looseObject({
      ContainerSpec: z.looseObject({ Image: z.string().default("") }).optional(),
    }).optional(),
    Mode: z.looseObject({
      Replicated: z.looseObject({ Replicas: z.number().default(1) }).optional(),
      Global: z.looseObject({}).optional(),
    }).optional(),
  }),
});
/** A service. */
export type Service = z.output<typeof ServiceSchema>;

/** `GET /services`. */
export function listServices(
  docker: DockerClient,
  options: { signal?: AbortSignal } = {},
): Promise<Service[]> {
  return docker.request("GET", "/services", z.array(ServiceSchema), options);
}

/** `GET /services/{id}`. */
export function inspectService(
  docker: DockerClient,
  id: string,
  options: { signal?: AbortSignal } = {},
): Promise<Service> {
  return docker.request("GET", `/services/${encodeURIComponent(id)}`, ServiceSchema, options);
}

/** `POST /services/{id}/update?version=`: replaces the spec. */
export async function updateService(
  docker: DockerClient,
  id: string,
  version: number,
  spec: Record<string, unknown>,
  options: { signal?: AbortSignal } = {},
): Promise<void> {
  await docker.request(
    "POST",
    `/services/${encodeURIComponent(id)}/update?version=${version}`,
    z.unknown(),
    { body: spec, signal: options.signal },
  );
}

/** `DELETE /services/{id}`. */
export async function removeService(
  docker: DockerClient,
  id: string,
  options: { signal?: AbortSignal } = {},
): Promise<void> {
  await docker.requestEmpty("DELETE", `/services/${encodeURIComponent(id)}`, options);
}

/** A task as listed. */
export const TaskSchema = z.looseObject({
  ID: z.string(),
  ServiceID: z.string(),
  NodeID: z.string().default(""),
  Slot: z.number().optional(),
  Status: z.looseObject({
    State: z.string(),
    Message: z.string().default(""),
    Err: z.string().optional(),
  }),
  DesiredState: z.string().default(""),
}).transform((t) => ({
  id: t.ID,
  serviceId: t.ServiceID,
  nodeId: t.NodeID,
  slot: t.Slot ?? null,
  state: t.Status.State,
  desiredState: t.DesiredState,
  message: t.Status.Err ?? t.Status.Message,
}));
/** A task. */
export type Task = z.output<typeof TaskSchema>;

/** `GET /tasks`. */
export function listTasks(
  docker: DockerClient,
  options: { service?: string; signal?: AbortSignal } = {},
): Promise<Task[]> {
  return docker.request("GET", "/tasks", z.array(TaskSchema), {
    query: options.service ? { filters: JSON.stringify({ service: [options.service] }) } : {},
    signal: options.signal,
  });
}

/** A node as listed. */
export const NodeSchema = z.looseObject({
  ID: z.string(),
  Description: z.looseObject({ Hostname: z.string().default("") }).optional(),
  Spec: z.looseObject({ Role: z.string().default("worker"), Availability: z.string().default("") }),
  Status: z.looseObject({ State: z.string().default(""), Addr: z.string().default("") }),
  ManagerStatus: z.looseObject({ Leader: z.boolean().default(false) }).optional(),
}).transform((n) => ({
  id: n.ID,
  hostname: n.Description?.Hostname ?? "",
  role: n.Spec.Role,
  availability: n.Spec.Availability,
  state: n.Status.State,
  addr: n.Status.Addr,
  leader: n.ManagerStatus?.Leader ?? false,
}));
/** A node. */
export type SwarmNode = z.output<typeof NodeSchema>;

/** `GET /nodes`. */
export function listNodes(
  docker: DockerClient,
  options: { signal?: AbortSignal } = {},
): Promise<SwarmNode[]> {
  return docker.request("GET", "/nodes", z.array(NodeSchema), options);
}
