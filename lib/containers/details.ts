/** Turns the engine's inspect output into Bosun's readable details, masking secret values. */
import { z } from "zod";
import { DESCRIPTION_LABEL, effectiveEnvironment } from "./safety.ts";
import { ENVIRONMENT_LABEL } from "../shared/updates.ts";
import type { ContainerInspect } from "../docker/containers.ts";
import { type ContainerDetails, SECRET_ENV_KEY } from "../shared/containers.ts";

/** What a secret-looking value is shown as. */
export const SECRET_MASK = "••••••";
const MASK = SECRET_MASK;

const InspectFieldsSchema = z.object({
  Id: z.string(),
  Name: z.string(),
  Created: z.string().default(""),
  Image: z.string().default(""),
  Path: z.string().default(""),
  Args: z.array(z.string()).nullable().default([]),
  RestartCount: z.number().default(0),
  State: z.object({
    Status: z.string(),
    StartedAt: z.string().optional(),
    FinishedAt: z.string().optional(),
    ExitCode: z.number().optional(),
    Health: z.object({ Status: z.string() }).nullable().optional(),
  }),
  Config: z.object({
    Image: z.string(),
    Env: z.array(z.string()).nullable().default([]),
    Labels: z.record(z.string(), z.string()).nullable().default({}),
  }),
  HostConfig: z.object({
    RestartPolicy: z.object({ Name: z.string().default("") }).nullable().optional(),
  }).optional(),
  Mounts: z.array(z.object({
    Type: z.string().default(""),
    Name: z.string().optional(),
    Source: z.string().default(""),
    Destination: z.string(),
    RW: z.boolean().default(true),
  })).nullable().default([]),
  NetworkSettings: z.object({
    Ports: z.record(
      z.string(),
      z.array(z.object({ HostIp: z.string(), HostPort: z.string() })).nullable(),
    ).nullable().default({}),
    Networks: z.record(
      z.string(),
      z.object({
        IPAddress: z.string().default(""),
        Gateway: z.string().default(""),
        MacAddress: z.string().default(""),
        Aliases: z.array(z.string()).nullable().default([]),
      }),
    ).nullable().default({}),
  }).optional(),
});

const isZeroTime = (t?: string) => !t || t.startsWith("0001-01-01");

/** The readable details of a container; secret-looking env values are masked. */
export function toContainerDetails(
  inspect: ContainerInspect,
  selfId?: string,
  hostEnvironment = "",
): ContainerDetails {
  const c = InspectFieldsSchema.parse(inspect);
  const ports = Object.entries(c.NetworkSettings?.Ports ?? {}).flatMap((
    [container, bindings],
  ): { container: string; host: string | null }[] =>
    bindings?.length
      ? bindings.map((b) => ({ container, host: `${b.HostIp || "0.0.0.0"}:${b.HostPort}` }))
      : [{ container, host: null }]
  );
  return {
    id: c.Id,
    name: c.Name.replace(/^\//, ""),
    image: c.Config.Image,
    imageId: c.Image,
    command: [c.Path, ...(c.Args ?? [])].filter(Boolean).join(" "),
    created: c.Created,
    state: c.State.Status,
    startedAt: isZeroTime(c.State.StartedAt) ? null : c.State.StartedAt!,
    finishedAt: isZeroTime(c.State.FinishedAt) ? null : c.State.FinishedAt!,
    exitCode: c.State.ExitCode ?? null,
    restartCount: c.RestartCount,
    restartPolicy: c.HostConfig?.RestartPolicy?.Name || "no",
    health: c.State.Health?.Status ?? null,
    ports,
    mounts: (c.Mounts ?? []).map((m) => ({
      type: m.Type,
      name: m.Name ?? null,
      source: m.Source,
      destination: m.Destination,
      readOnly: !m.RW,
    })),
    networks: Object.entries(c.NetworkSettings?.Networks ?? {}).map(([name, n]) => ({
      name,
      ipAddress: n.IPAddress,
      gateway: n.Gateway,
      macAddress: n.MacAddress,
      aliases: n.Aliases ?? [],
    })),
    env: (c.Config.Env ?? []).map((entry) => {
      const eq = entry.indexOf("=");
      const key = eq < 0 ? entry : entry.slice(0, eq);
      const value = eq < 0 ? "" : entry.slice(eq + 1);
      const masked = SECRET_ENV_KEY.test(key) && value !== "";
      return { key, value: masked ? MASK : value, masked };
    }),
    labels: c.Config.Labels ?? {},
    isSelf: c.Id === selfId,
    environment: effectiveEnvironment(c.Config.Labels, hostEnvironment),
    environmentLabel: c.Config.Labels?.[ENVIRONMENT_LABEL] ?? null,
    description: c.Config.Labels?.[DESCRIPTION_LABEL] ?? "",
  };
}

/** The raw inspect output with secret-looking env values masked (unless `reveal`). */
export function maskInspect(inspect: ContainerInspect, reveal: boolean): ContainerInspect {
  if (reveal) return inspect;
  const config = inspect.Config as ContainerInspect["Config"] & { Env?: string[] | null };
  if (!config.Env) return inspect;
  const env = config.Env.map((entry) => {
    const eq = entry.indexOf("=");
    return eq > 0 && SECRET_ENV_KEY.test(entry.slice(0, eq)) && eq < entry.length - 1
      ? `${entry.slice(0, eq)}=${MASK}`
      : entry;
  });
  return { ...inspect, Config: { ...config, Env: env } };
}
