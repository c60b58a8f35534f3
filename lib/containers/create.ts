/**
 * Guided container creation: a plain description (name, image, ports, volumes, environment,
 * network and address, restart policy, limits, environment tag) becomes a create request
 * with safe defaults that stay visible and changeable (512 MiB, 0.5 CPU, 100 PIDs,
 * no-new-privileges, json-file logs 10 MB × 3). Names are checked (and alternatives
 * suggested), host ports are checked against other containers before anything is created,
 * and the host's container budget is respected.
 */
import { z } from "zod";
import type { DockerClient } from "../docker/client.ts";
import { listContainers } from "../docker/containers.ts";
import { ConflictError, ValidationError } from "../errors.ts";
import { ENVIRONMENT_LABEL } from "../shared/updates.ts";
import { parseDockerSize } from "../shared/format.ts";
import { DESCRIPTION_LABEL } from "./safety.ts";
import { HELPER_LABEL } from "./lifecycle.ts";

/** A container name the engine accepts. */
export const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;

/** What the form sends. */
export const CreateSpecSchema = z.object({
  name: z.string().regex(
    NAME_RE,
    "letters, digits, '_', '.' and '-', starting with a letter or digit",
  ),
  image: z.string().min(1).max(512),
  command: z.array(z.string().max(4096)).max(64).optional(),
  ports: z.array(
    z.object({
      container: z.number().int().min(1).max(65535),
      host: z.number().int().min(1).max(65535).optional(),
      protocol: z.enum(["tcp", "udp"]).default("tcp"),
      hostIp: z.string().regex(/^[\d.]+$|^::1?$/).optional(),
    }).strict(),
  ).max(64).default([]),
  volumes: z.array(
    z.object({
      type: z.enum(["volume", "bind"]),
      source: z.string().min(1).max(4096),
      target: z.string().regex(/^\//, "an absolute path in the container").max(4096),
      readOnly: z.boolean().default(false),
    }).strict(),
  ).max(64).default([]),
  env: z.record(
    z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, "a variable name"),
    z.string().max(32_768),
  )
    .default({}),
  network: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/).optional(),
  ip: z.string().regex(/^(\d{1,3}(\.\d{1,3}){3}|auto)$/, "an IPv4 address, or auto")
    .optional().describe("auto: the next free address outside the network's reservations"),
  restart: z.enum(["no", "always", "unless-stopped", "on-failure"]).default("unless-stopped"),
  memory: z.string().regex(/^\d+(\.\d+)?[kmg]?$/i, "like 512m or 1g").nullable().default("512m"),
  cpus: z.number().min(0.01).max(1024).nullable().default(0.5),
  pidsLimit: z.number().int().min(1).max(1_000_000).nullable().default(100),
  noNewPrivileges: z.boolean().default(true),
  logMaxSize: z.string().regex(/^\d+[kmg]$/i).default("10m"),
  logMaxFile: z.number().int().min(1).max(100).default(3),
  environment: z.enum(["PRD", "UAT", "DEV", "SANDBOX"]).optional(),
  description: z.string().max(200).optional(),
  user: z.string().max(64).optional(),
  workingDir: z.string().regex(/^\//).max(4096).optional(),
  labels: z.record(z.string().max(255), z.string().max(4096)).default({}),
  acknowledgeBudget: z.boolean().default(false),
  start: z.boolean().default(true),
}).strict();
/** What the form sends. */
export type CreateSpec = z.output<typeof CreateSpecSchema>;

/** A published port as the form and the edit send it. */
export interface PortSpec {
  container: number;
  host?: number;
  protocol: string;
  hostIp?: string;
}

/** `ExposedPorts` and `PortBindings` for a list of published ports. */
export function portConfig(ports: PortSpec[]): {
  exposed: Record<string, Record<string, never>>;
  bindings: Record<string, { HostIp?: string; HostPort: string }[]>;
} {
  const exposed: Record<string, Record<string, never>> = {};
  const bindings: Record<string, { HostIp?: string; HostPort: string }[]> = {};
  for (const p of ports) {
    const key = `${p.container}/${p.protocol}`;
    exposed[key] = {};
    if (p.host) {
      (bindings[key] ??= []).push({
        ...(p.hostIp ? { HostIp: p.hostIp } : {}),
        HostPort: String(p.host),
      });
    }
  }
  return { exposed, bindings };
}

/** The create request for a spec. */
export function createBody(spec: CreateSpec): Record<string, unknown> {
  const { exposed, bindings } = portConfig(spec.ports);
  const labels: Record<string, string> = { ...spec.labels };
  if (spec.environment) labels[ENVIRONMENT_LABEL] = spec.environment;
  if (spec.description) labels[DESCRIPTION_LABEL] = spec.description;
  return {
    Image: spec.image,
    ...(spec.command?.length ? { Cmd: spec.command } : {}),
    Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
    Labels: labels,
    ...(spec.user ? { User: spec.user } : {}),
    ...(spec.workingDir ? { WorkingDir: spec.workingDir } : {}),
    ...(Object.keys(exposed).length ? { ExposedPorts: exposed } : {}),
    HostConfig: {
      PortBindings: bindings,
      Binds: spec.volumes.filter((v) => v.type === "bind").map((v) =>
        `${v.source}:${v.target}${v.readOnly ? ":ro" : ""}`
      ),
      Mounts: spec.volumes.filter((v) => v.type === "volume").map((v) => ({
        Type: "volume",
        Source: v.source,
        Target: v.target,
        ReadOnly: v.readOnly,
      })),
      RestartPolicy: { Name: spec.restart },
      ...(spec.memory ? { Memory: parseDockerSize(spec.memory) } : {}),
      ...(spec.cpus ? { NanoCpus: Math.round(spec.cpus * 1e9) } : {}),
      ...(spec.pidsLimit ? { PidsLimit: spec.pidsLimit } : {}),
      SecurityOpt: spec.noNewPrivileges ? ["no-new-privileges"] : [],
      LogConfig: {
        Type: "json-file",
        Config: { "max-size": spec.logMaxSize, "max-file": String(spec.logMaxFile) },
      },
      ...(spec.network ? { NetworkMode: spec.network } : {}),
    },
    ...(spec.network
      ? {
        NetworkingConfig: {
          EndpointsConfig: {
            [spec.network]: spec.ip ? { IPAMConfig: { IPv4Address: spec.ip } } : {},
          },
        },
      }
      : {}),
  };
}

/** Names close to `name` that are free: `<name>-dev`, `<name>-2`, `<name>-3`, … */
export function suggestNames(name: string, taken: Set<string>): string[] {
  const out: string[] = [];
  for (
    const candidate of [
      `${name}-dev`,
      `${name}-test`,
      ...Array.from({ length: 8 }, (_, i) => `${name}-${i + 2}`),
    ]
  ) {
    if (!taken.has(candidate) && NAME_RE.test(candidate)) out.push(candidate);
    if (out.length === 3) break;
  }
  return out;
}

/** What the checks found before creating. */
export interface CreateCheck {
  /** Containers (helpers not counted) after this one, and the host's budget. */
  containers: number;
  budget: number | null;
  warnings: string[];
}

/**
 * Checks a spec against the engine: the name is free (else 409 naming alternatives), no
 * other container publishes the same host ports, and the budget (past 80 % warns; past 100 %
 * needs `acknowledgeBudget`).
 */
export async function checkCreate(
  docker: DockerClient,
  spec: CreateSpec,
  budget: number | null,
): Promise<CreateCheck> {
  const all = (await listContainers(docker)).filter((c) => c.labels[HELPER_LABEL] !== "true");
  const names = new Set(all.map((c) => c.name));
  if (names.has(spec.name)) {
    throw new ConflictError(
      `A container named "${spec.name}" exists; free names: ${
        suggestNames(spec.name, names).join(", ")
      }`,
    );
  }
  const clashes: string[] = [];
  for (const p of spec.ports) {
    if (!p.host) continue;
    const other = all.find((c) =>
      c.ports.some((x) => x.publicPort === p.host && x.type === p.protocol)
    );
    if (other) clashes.push(`host port ${p.host}/${p.protocol} is published by ${other.name}`);
  }
  if (clashes.length) throw new ConflictError(`Port conflict: ${clashes.join("; ")}`);
  const seenTargets = new Set<string>();
  for (const v of spec.volumes) {
    if (seenTargets.has(v.target)) throw new ValidationError(`${v.target} is mounted twice`);
    seenTargets.add(v.target);
  }
  const count = all.length + 1;
  const warnings: string[] = [];
  if (budget !== null) {
    if (count > budget && !spec.acknowledgeBudget) {
      throw new ConflictError(
        `This would be container ${count} of a budget of ${budget} for this host: acknowledge to create it anyway`,
      );
    }
    if (count > budget) warnings.push(`past the host's budget: ${count} of ${budget} containers`);
    else if (count >= 0.8 * budget) {
      warnings.push(`${count} of ${budget} containers: near the host's budget`);
    }
  }
  return { containers: count, budget, warnings };
}
