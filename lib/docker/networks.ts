/** Network calls of the Engine API, one function per call. */
import { z } from "zod";
import type { DockerClient } from "./client.ts";

/** One network as listed. */
export const NetworkSummarySchema = z.looseObject({
  Id: z.string(),
  Name: z.string(),
  Driver: z.string(),
  Scope: z.string().default("local"),
}).transform((n) => ({ id: n.Id, name: n.Name, driver: n.Driver, scope: n.Scope }));
/** One network as listed. */
export type NetworkSummary = z.output<typeof NetworkSummarySchema>;

/** `GET /networks`. */
export function listNetworks(
  docker: DockerClient,
  options: { signal?: AbortSignal } = {},
): Promise<NetworkSummary[]> {
  return docker.request("GET", "/networks", z.array(NetworkSummarySchema), options);
}

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

/** What Bosun reads of a network's inspect output: its containers and their addresses. */
export const NetworkInspectSchema = z.looseObject({
  Id: z.string(),
  Name: z.string(),
  Containers: z.record(
    z.string(),
    z.looseObject({ Name: z.string().default(""), IPv4Address: z.string().default("") }),
  ).nullable().default({}),
}).transform((n) => ({
  id: n.Id,
  name: n.Name,
  containers: Object.entries(n.Containers ?? {}).map(([id, c]) => ({
    id,
    name: c.Name,
    ipv4: c.IPv4Address.split("/")[0],
  })),
}));
/** A network as inspected. */
export type NetworkInspect = z.output<typeof NetworkInspectSchema>;

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
