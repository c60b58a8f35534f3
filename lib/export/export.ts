/**
 * Exports: a container as plain files a user can take away — `run.sh` (a safe script),
 * `compose.yaml`, `config.json` (the create request) and `README.md` (a human description
 * with backup and restore commands for its volumes). Secret-looking values go to a separate
 * `.env` that both read, included only when asked; otherwise `.env.example` lists the keys.
 * A bulk export folds several containers into `<ENV>/<name>/` folders with
 * `MASTER-INVENTORY.md` and `create-networks.sh`.
 */
import { stringify } from "yaml";
import { endpointsOf, networkCreate, restartText, runCommand, shellQuote } from "../cli/cli.ts";
import { goDuration } from "../shared/format.ts";
import { createBodyOf } from "../cli/container.ts";
import { containerName } from "../containers/lifecycle.ts";
import { effectiveEnvironment } from "../containers/safety.ts";
import type { DockerClient } from "../docker/client.ts";
import { type ContainerInspect, inspectContainer } from "../docker/containers.ts";
import { inspectNetwork } from "../docker/networks.ts";
import { SECRET_ENV_KEY } from "../shared/containers.ts";

/** One exported container: its folder's files, by name. */
export interface ContainerExport {
  name: string;
  environment: string;
  image: string;
  files: Map<string, string>;
  networks: { name: string; subnet?: string; gateway?: string }[];
  secretKeys: string[];
}

type Body = Record<string, unknown>;

/** The compose service equivalent to a create request. */
export function composeService(name: string, body: Body, envFile: boolean): Body {
  const host = (body.HostConfig ?? {}) as Body;
  const service: Body = { image: body.Image, container_name: name };
  if (Array.isArray(body.Entrypoint) && body.Entrypoint.length) {
    service.entrypoint = body.Entrypoint;
  }
  if (Array.isArray(body.Cmd) && body.Cmd.length) service.command = body.Cmd;
  const env = (body.Env as string[] | undefined) ?? [];
  if (env.length) {
    service.environment = Object.fromEntries(env.map((e) => {
      const i = e.indexOf("=");
      return [e.slice(0, i), e.slice(i + 1)];
    }));
  }
  if (envFile) service.env_file = [".env"];
  const ports: string[] = [];
  for (
    const [key, bindings] of Object.entries(
      (host.PortBindings ?? {}) as Record<string, { HostIp?: string; HostPort?: string }[]>,
    )
  ) {
    for (const b of bindings ?? []) {
      ports.push(
        `${b.HostIp ? `${b.HostIp}:` : ""}${b.HostPort ? `${b.HostPort}:` : b.HostIp ? ":" : ""}${
          key.replace(/\/tcp$/, "")
        }`,
      );
    }
  }
  if (ports.length) service.ports = ports;
  const volumes = [
    ...((host.Binds as string[] | undefined) ?? []),
    ...((host.Mounts as Body[] | undefined) ?? []).filter((m) => m.Type === "volume").map((m) =>
      `${m.Source ? `${m.Source}:` : ""}${m.Target}${m.ReadOnly ? ":ro" : ""}`
    ),
  ];
  if (volumes.length) service.volumes = volumes;
  const mode = String(host.NetworkMode ?? "");
  const endpoints = endpointsOf(body);
  const nets = Object.entries(endpoints).filter(([n]) => !["bridge", "default"].includes(n));
  if (["host", "none"].includes(mode)) service.network_mode = mode;
  else if (nets.length) {
    service.networks = Object.fromEntries(nets.map(([n, e]) => [n, {
      ...(e.IPAMConfig?.IPv4Address ? { ipv4_address: e.IPAMConfig.IPv4Address } : {}),
      ...((e.Aliases ?? []).filter((a) => a !== name).length
        ? { aliases: (e.Aliases ?? []).filter((a) => a !== name) }
        : {}),
    }]));
  }
  const restart = restartText(host);
  if (restart) service.restart = restart;
  const labels = (body.Labels as Record<string, string> | undefined) ?? {};
  if (Object.keys(labels).length) service.labels = labels;
  const health = body.Healthcheck as {
    Test?: string[];
    Interval?: number;
    Timeout?: number;
    Retries?: number;
    StartPeriod?: number;
  } | undefined;
  if (health?.Test?.length) {
    service.healthcheck = health.Test[0] === "NONE" ? { disable: true } : {
      test: health.Test,
      ...(health.Interval ? { interval: goDuration(health.Interval) } : {}),
      ...(health.Timeout ? { timeout: goDuration(health.Timeout) } : {}),
      ...(health.Retries ? { retries: health.Retries } : {}),
      ...(health.StartPeriod ? { start_period: goDuration(health.StartPeriod) } : {}),
    };
  }
  if (body.User) service.user = body.User;
  if (body.WorkingDir) service.working_dir = body.WorkingDir;
  if ((host.CapAdd as string[] | null)?.length) service.cap_add = host.CapAdd;
  if ((host.CapDrop as string[] | null)?.length) service.cap_drop = host.CapDrop;
  if (host.Memory) service.mem_limit = `${host.Memory}b`;
  if (host.NanoCpus) service.cpus = Number(host.NanoCpus) / 1e9;
  if (host.PidsLimit) service.pids_limit = host.PidsLimit;
  if ((host.SecurityOpt as string[] | null)?.length) service.security_opt = host.SecurityOpt;
  if ((host.ExtraHosts as string[] | null)?.length) service.extra_hosts = host.ExtraHosts;
  const log = host.LogConfig as { Type?: string; Config?: Record<string, string> } | undefined;
  if (log?.Type && (log.Type !== "json-file" || Object.keys(log.Config ?? {}).length)) {
    service.logging = { driver: log.Type, options: log.Config ?? {} };
  }
  return service;
}

/** Exports one container. */
export async function exportContainer(
  docker: DockerClient,
  ref: string,
  options: { includeSecrets: boolean; hostEnvironment: string },
): Promise<ContainerExport> {
  const inspect = await inspectContainer(docker, ref);
  const name = containerName(inspect);
  const body = await createBodyOf(docker, inspect);
  const env = (body.Env as string[] | undefined) ?? [];
  const secrets = env.filter((e) => SECRET_ENV_KEY.test(e.slice(0, e.indexOf("="))));
  const plain = env.filter((e) => !secrets.includes(e));
  const secretKeys = secrets.map((e) => e.slice(0, e.indexOf("=")));
  const publicBody = { ...body, Env: plain };
  const networks: ContainerExport["networks"] = [];
  for (const n of Object.keys(endpointsOf(body))) {
    if (["bridge", "host", "none", "default"].includes(n)) continue;
    const net = await inspectNetwork(docker, n).catch(() => undefined);
    const cfg = net?.ipam.config[0] as { Subnet?: string; Gateway?: string } | undefined;
    networks.push({ name: n, subnet: cfg?.Subnet, gateway: cfg?.Gateway });
  }
  const files = new Map<string, string>();
  const envFlag = secrets.length ? [["--env-file", ".env"]] : [];
  const script = runCommand(name, publicBody, "advanced", networks, envFlag)
    .replace("set -euo pipefail\n", 'set -euo pipefail\ncd "$(dirname "$0")"\n');
  files.set("run.sh", `${script}\n`);
  files.set(
    "compose.yaml",
    stringify({
      services: { [name]: escapeDollars(composeService(name, publicBody, secrets.length > 0)) },
      ...(networks.length
        ? { networks: Object.fromEntries(networks.map((n) => [n.name, { external: true }])) }
        : {}),
      ...volumesSection(publicBody),
    }, { lineWidth: 0 }),
  );
  files.set(
    "config.json",
    `${
      JSON.stringify(
        {
          ...body,
          Env: options.includeSecrets ? env : [...plain, ...secretKeys.map((k) => `${k}=••••••`)],
        },
        null,
        2,
      )
    }\n`,
  );
  if (secrets.length) {
    if (options.includeSecrets) files.set(".env", `${secrets.join("\n")}\n`);
    else files.set(".env.example", `${secretKeys.map((k) => `${k}=`).join("\n")}\n`);
  }
  const labels = (inspect.Config as { Labels?: Record<string, string> | null }).Labels ?? {};
  const environment = effectiveEnvironment(labels, options.hostEnvironment) || "UNTAGGED";
  files.set(
    "README.md",
    readme(name, inspect, publicBody, secretKeys, options.includeSecrets, environment),
  );
  return { name, environment, image: String(body.Image), files, networks, secretKeys };
}

/** Compose interpolates `$VAR`: a literal `$` is written `$$`. */
function escapeDollars<T>(value: T): T {
  if (typeof value === "string") return value.replaceAll("$", "$$$$") as T;
  if (Array.isArray(value)) return value.map(escapeDollars) as T;
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, escapeDollars(v)]),
    ) as T;
  }
  return value;
}

function volumesSection(body: Body): Body {
  const host = (body.HostConfig ?? {}) as Body;
  const named = [
    ...((host.Mounts ?? []) as Body[]).filter((m) => m.Type === "volume" && m.Source).map((m) =>
      String(m.Source)
    ),
    // `-v name:/path` is a Bind entry naming a volume.
    ...((host.Binds ?? []) as string[]).map((b) => b.split(":")[0]).filter((src) =>
      !src.startsWith("/")
    ),
  ];
  return named.length
    ? { volumes: Object.fromEntries(named.map((v) => [v, { external: true }])) }
    : {};
}

function readme(
  name: string,
  inspect: ContainerInspect,
  body: Body,
  secretKeys: string[],
  withSecrets: boolean,
  environment: string,
): string {
  const host = (body.HostConfig ?? {}) as Body;
  const ports = Object.entries(
    (host.PortBindings ?? {}) as Record<string, { HostIp?: string; HostPort?: string }[]>,
  )
    .flatMap(([k, bs]) =>
      (bs ?? []).map((b) => `- ${b.HostIp || "0.0.0.0"}:${b.HostPort || "(any)"} → ${k}`)
    );
  const mounts = (inspect as {
    Mounts?: { Type: string; Name?: string; Source: string; Destination: string; RW: boolean }[];
  }).Mounts ?? [];
  const env = ((body.Env as string[]) ?? []).map((e) => `- \`${e.slice(0, e.indexOf("="))}\``);
  const lines = [
    `# ${name}`,
    "",
    `Environment: **${environment}**. Image: \`${body.Image}\`. Exported by Bosun on ${
      new Date().toISOString().slice(0, 10)
    }.`,
    "",
    "## Ports",
    ...(ports.length ? ports : ["- none published"]),
    "",
    "## Volumes and folders",
    ...(mounts.length
      ? mounts.map((m) =>
        `- ${
          m.Type === "volume" ? `volume \`${m.Name}\`` : `folder \`${m.Source}\``
        } → \`${m.Destination}\`${m.RW ? "" : " (read-only)"}`
      )
      : ["- none"]),
    "",
    "## Networks",
    ...Object.keys(endpointsOf(body)).map((n) => `- ${n}`),
    "",
    "## Environment",
    ...(env.length ? env : ["- none"]),
    ...(secretKeys.length
      ? [
        "",
        `Secrets (${secretKeys.map((k) => `\`${k}\``).join(", ")}) are ${
          withSecrets
            ? "in `.env`, next to this file: keep it private"
            : "not in this export: fill `.env.example` in and rename it `.env`"
        }.`,
      ]
      : []),
    "",
    "## Run it again",
    "",
    "```sh",
    "bash run.sh                 # or: docker compose up -d",
    "```",
    "",
    "## Back up and restore its volumes",
    "",
    ...mounts.filter((m) => m.Type === "volume").flatMap((m) => [
      "```sh",
      `docker run --rm -v ${
        shellQuote(m.Name ?? "")
      }:/data -v "$PWD":/backup busybox tar -czf /backup/${m.Name}.tar.gz -C /data .`,
      `docker run --rm -v ${
        shellQuote(m.Name ?? "")
      }:/data -v "$PWD":/backup busybox tar -xzf /backup/${m.Name}.tar.gz -C /data`,
      "```",
      "",
    ]),
  ];
  return lines.join("\n");
}

/** The inventory and network script of a bulk export. */
export function bulkExtras(exports: ContainerExport[]): Map<string, string> {
  const out = new Map<string, string>();
  const rows = exports.map((e) =>
    `| ${e.environment} | ${e.name} | \`${e.image}\` | ${
      e.networks.map((n) => n.name).join(", ") || "—"
    } | ${e.secretKeys.length} |`
  );
  out.set(
    "MASTER-INVENTORY.md",
    [
      "# Inventory",
      "",
      `${exports.length} containers, exported by Bosun on ${
        new Date().toISOString().slice(0, 10)
      }.`,
      "",
      "| Environment | Container | Image | Networks | Secrets |",
      "|---|---|---|---|---|",
      ...rows,
      "",
      "Create the networks first (`bash create-networks.sh`), then run each container's `run.sh`.",
      "",
    ].join("\n"),
  );
  const nets = new Map<string, ContainerExport["networks"][number]>();
  for (const e of exports) for (const n of e.networks) nets.set(n.name, n);
  out.set(
    "create-networks.sh",
    [
      "#!/usr/bin/env bash",
      "# Creates the networks the exported containers use (generated by Bosun).",
      "set -euo pipefail",
      ...[...nets.values()].map((n) =>
        `docker network inspect ${shellQuote(n.name)} >/dev/null 2>&1 || ${
          networkCreate(n.name, n)
        }`
      ),
      "",
    ].join("\n"),
  );
  return out;
}
