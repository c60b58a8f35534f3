/** Network calls of the Engine API, one function per call. */
import { z } from "zod";
import type { DockerClient } from "./client.ts";

/** `POST /networks/{id}/connect` with an endpoint configuration (static IP, aliases). */
export async function connectNetwork(
  docker: DockerClient,
  network: string,
  container: string,
  endpointConfig: Record<string, unknown>,
  options: { signal?: AbortSignal } = {},
): Promise<void> {
  await docker.requestEmpty("POST", `/networks/${encodeURIComponent(network)}/connect`, {
    body: { Container: container, EndpointConfig: endpointConfig },
    signal: options.signal,
  });
}

/** What Bosun reads of a network's inspect output: its definition, containers and addresses. */
export const NetworkInspectSchema = z.looseObject({
  Id: z.string(),
  Name: z.string(),
  Driver: z.string().default("bridge"),
  Scope: z.string().default("local"),
  Internal: z.boolean().default(false),
  Attachable: z.boolean().default(false),
  EnableIPv6: z.boolean().default(false),
  IPAM: z.looseObject({
    Driver: z.string().default("default"),
    Config: z.array(z.record(z.string(), z.unknown())).nullable().default([]),
    Options: z.record(z.string(), z.string()).nullable().default({}),
  }).default({ Driver: "default", Config: [], Options: {} }),
  Options: z.record(z.string(), z.string()).nullable().default({}),
  Labels: z.record(z.string(), z.string()).nullable().default({}),
  Containers: z.record(
    z.string(),
    z.looseObject({ Name: z.string().default(""), IPv4Address: z.string().default("") }),
  ).nullable().default({}),
}).transform((n) => ({
  id: n.Id,
  name: n.Name,
  driver: n.Driver,
  scope: n.Scope,
  internal: n.Internal,
  attachable: n.Attachable,
  enableIPv6: n.EnableIPv6,
  ipam: { driver: n.IPAM.Driver, config: n.IPAM.Config ?? [], options: n.IPAM.Options ?? {} },
  options: n.Options ?? {},
  labels: n.Labels ?? {},
  containers: Object.entries(n.Containers ?? {}).map(([id, c]) => ({
    id,
    name: c.Name,
    ipv4: c.IPv4Address.split("/")[0],
  })),
}));
/** A network as inspected. */
export type NetworkInspect = z.output<typeof NetworkInspectSchema>;

/**
 * One network as listed: its whole definition (IPAM, options, labels), without the attached
 * containers, which the engine leaves out of the list.
 */
export const NetworkSummarySchema = NetworkInspectSchema.transform(({ containers: _, ...n }) => n);
/** One network as listed. */
export type NetworkSummary = z.output<typeof NetworkSummarySchema>;

/** `GET /networks`. */
export function listNetworks(
  docker: DockerClient,
  options: { signal?: AbortSignal } = {},
): Promise<NetworkSummary[]> {
  return docker.request("GET", "/networks", z.array(NetworkSummarySchema), options);
}

/** `GET /networks/{id}`. */
export function inspectNetwork(
  docker: DockerClient,
  network: string,
  options: { signal?: AbortSignal } = {},
): Promise<NetworkInspect> {
  return docker.request(
    "GET",
    `/networks/${encodeURIComponent(network)}`,
    NetworkInspectSchema,
    options,
  );
}

/** A network's definition, as `POST /networks/create` takes it. */
export interface NetworkDefinition {
  name: string;
  driver: string;
  internal: boolean;
  attachable: boolean;
  enableIPv6: boolean;
  ipam: { driver: string; config: Record<string, unknown>[]; options: Record<string, string> };
  options: Record<string, string>;
  labels: Record<string, string>;
}

/** The definition `n` was created from, to create it again. */
export function networkDefinition(n: NetworkInspect): NetworkDefinition {
  return {
    name: n.name,
    driver: n.driver,
    internal: n.internal,
    attachable: n.attachable,
    enableIPv6: n.enableIPv6,
    ipam: n.ipam,
    options: n.options,
    labels: n.labels,
  };
}

/** `POST /networks/create`; resolves with the new network's id. */
export async function createNetwork(
  docker: DockerClient,
  def: NetworkDefinition,
  options: { signal?: AbortSignal } = {},
): Promise<string> {
  const created = await docker.request(
    "POST",
    "/networks/create",
    z.object({ Id: z.string() }),
    {
      body: {
        Name: def.name,
        Driver: def.driver,
        Internal: def.internal,
        Attachable: def.attachable,
        EnableIPv6: def.enableIPv6,
        IPAM: { Driver: def.ipam.driver, Config: def.ipam.config, Options: def.ipam.options },
        Options: def.options,
        Labels: def.labels,
      },
      signal: options.signal,
    },
  );
  return created.Id;
}

/** `DELETE /networks/{id}`. */
export async function removeNetwork(
  docker: DockerClient,
  network: string,
  options: { signal?: AbortSignal } = {},
): Promise<void> {
  await docker.requestEmpty("DELETE", `/networks/${encodeURIComponent(network)}`, options);
}

/** `POST /networks/{id}/disconnect`. */
export async function disconnectNetwork(
  docker: DockerClient,
  network: string,
  container: string,
  options: { force?: boolean; signal?: AbortSignal } = {},
): Promise<void> {
  await docker.requestEmpty("POST", `/networks/${encodeURIComponent(network)}/disconnect`, {
    body: { Container: container, Force: options.force ?? false },
    signal: options.signal,
  });
}

/** `POST /networks/prune`: removes every network no container uses; resolves with their names. */
export async function pruneNetworks(
  docker: DockerClient,
  options: { signal?: AbortSignal } = {},
): Promise<string[]> {
  const r = await docker.request(
    "POST",
    "/networks/prune",
    z.looseObject({ NetworksDeleted: z.array(z.string()).nullable().default([]) }),
    options,
  );
  return r.NetworksDeleted ?? [];
}
