/**
 * The `docker` command behind every action Bosun performs, so people learn (and can leave
 * Bosun at any time): `docker run` for a container in three modes (simple one line,
 * intermediate with every flag on its own line, advanced as a safe bash script), and the
 * one-liner of every other action. Values are quoted for a POSIX shell.
 */
import { dockerSize, goDuration } from "../shared/format.ts";

/** Quotes a word for a POSIX shell: bare when safe, else in single quotes. */
export function shellQuote(word: string): string {
  if (word !== "" && /^[A-Za-z0-9_\/.:=@%+,-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'"'"'`)}'`;
}

/** A command line from words. */
export function commandLine(words: string[]): string {
  return words.map(shellQuote).join(" ");
}

/** How a `docker run` is written. */
export type CliMode = "simple" | "intermediate" | "advanced";

const NS = 1e9;

type Body = Record<string, unknown>;

/** A network endpoint of a create request. */
export interface Endpoint {
  IPAMConfig?: { IPv4Address?: string } | null;
  Aliases?: string[] | null;
}

/** A create request's network endpoints, by network name. */
export function endpointsOf(body: Body): Record<string, Endpoint> {
  return ((body.NetworkingConfig as Body | undefined)?.EndpointsConfig ?? {}) as Record<
    string,
    Endpoint
  >;
}

/** A `HostConfig`'s restart policy as `--restart` and compose write it; undefined for none. */
export function restartText(host: Body): string | undefined {
  const restart = host.RestartPolicy as { Name?: string; MaximumRetryCount?: number } | undefined;
  if (!restart?.Name || restart.Name === "no") return undefined;
  return restart.Name === "on-failure" && restart.MaximumRetryCount
    ? `on-failure:${restart.MaximumRetryCount}`
    : restart.Name;
}

/**
 * The flags (as word pairs) and trailing words of `docker run` for a create request
 * (`Config` fields with `HostConfig` and `NetworkingConfig`, as `POST /containers/create`
 * takes them, or as rebuilt from an inspect).
 */
export function runWords(
  name: string | undefined,
  body: Body,
): { flags: string[][]; image: string; args: string[] } {
  const host = (body.HostConfig ?? {}) as Body;
  const flags: string[][] = [["-d"]];
  if (name) flags.push(["--name", name]);
  const hostname = body.Hostname as string | undefined;
  if (hostname) flags.push(["--hostname", hostname]);
  if (body.User) flags.push(["--user", String(body.User)]);
  if (body.WorkingDir) flags.push(["--workdir", String(body.WorkingDir)]);
  const entrypoint = (body.Entrypoint as string[] | null | undefined) ?? undefined;
  if (entrypoint?.length) flags.push(["--entrypoint", entrypoint[0]]);
  for (const e of (body.Env as string[] | null | undefined) ?? []) flags.push(["-e", e]);
  for (const [k, v] of Object.entries((body.Labels as Record<string, string> | null) ?? {})) {
    flags.push(["-l", `${k}=${v}`]);
  }
  const ports = (host.PortBindings ?? {}) as Record<
    string,
    { HostIp?: string; HostPort?: string }[] | null
  >;
  for (const [key, bindings] of Object.entries(ports)) {
    const [port, proto] = key.split("/");
    const suffix = proto && proto !== "tcp" ? `/${proto}` : "";
    for (const b of bindings ?? [{}]) {
      const ip = b.HostIp ? `${b.HostIp}:` : "";
      // "-p 127.0.0.1::80" publishes on a free port of that address.
      const published = b.HostPort ? `${b.HostPort}:` : ip ? ":" : "";
      flags.push(["-p", `${ip}${published}${port}${suffix}`]);
    }
  }
  for (const bind of (host.Binds as string[] | null | undefined) ?? []) flags.push(["-v", bind]);
  for (const m of (host.Mounts as Body[] | null | undefined) ?? []) {
    if (m.Type === "tmpfs") flags.push(["--tmpfs", String(m.Target)]);
    else {
      const src = m.Source ? `${m.Source}:` : "";
      flags.push(["-v", `${src}${m.Target}${m.ReadOnly ? ":ro" : ""}`]);
    }
  }
  const restart = restartText(host);
  if (restart) flags.push(["--restart", restart]);
  const mode = String(host.NetworkMode ?? "");
  const endpoints = endpointsOf(body);
  if (mode && mode !== "default" && mode !== "bridge") flags.push(["--network", mode]);
  const primary = endpoints[mode];
  if (primary?.IPAMConfig?.IPv4Address) flags.push(["--ip", primary.IPAMConfig.IPv4Address]);
  for (const a of primary?.Aliases ?? []) if (a !== name) flags.push(["--network-alias", a]);
  for (const c of (host.CapAdd as string[] | null) ?? []) flags.push(["--cap-add", c]);
  for (const c of (host.CapDrop as string[] | null) ?? []) flags.push(["--cap-drop", c]);
  if (host.Memory) flags.push(["--memory", dockerSize(Number(host.Memory))]);
  if (host.NanoCpus) flags.push(["--cpus", String(Number(host.NanoCpus) / NS)]);
  if (host.PidsLimit) flags.push(["--pids-limit", String(host.PidsLimit)]);
  for (const o of (host.SecurityOpt as string[] | null) ?? []) flags.push(["--security-opt", o]);
  const log = host.LogConfig as { Type?: string; Config?: Record<string, string> } | undefined;
  if (log?.Type && (log.Type !== "json-file" || Object.keys(log.Config ?? {}).length)) {
    flags.push(["--log-driver", log.Type]);
    for (const [k, v] of Object.entries(log.Config ?? {})) flags.push(["--log-opt", `${k}=${v}`]);
  }
  for (const h of (host.ExtraHosts as string[] | null) ?? []) flags.push(["--add-host", h]);
  for (const d of (host.Dns as string[] | null) ?? []) flags.push(["--dns", d]);
  if (host.Privileged) flags.push(["--privileged"]);
  if (host.ReadonlyRootfs) flags.push(["--read-only"]);
  if (host.Init) flags.push(["--init"]);
  if (host.AutoRemove) flags.push(["--rm"]);
  if (body.Tty) flags.push(["-t"]);
  if (body.OpenStdin) flags.push(["-i"]);
  const health = body.Healthcheck as
    | {
      Test?: string[];
      Interval?: number;
      Timeout?: number;
      Retries?: number;
      StartPeriod?: number;
    }
    | undefined;
  if (health?.Test?.[0] === "NONE") flags.push(["--no-healthcheck"]);
  else if (health?.Test?.length) {
    const [kind, ...rest] = health.Test;
    flags.push(["--health-cmd", kind === "CMD-SHELL" ? rest.join(" ") : commandLine(rest)]);
    if (health.Interval) flags.push(["--health-interval", goDuration(health.Interval)]);
    if (health.Timeout) flags.push(["--health-timeout", goDuration(health.Timeout)]);
    if (health.Retries) flags.push(["--health-retries", String(health.Retries)]);
    if (health.StartPeriod) flags.push(["--health-start-period", goDuration(health.StartPeriod)]);
  }
  const cmd = (body.Cmd as string[] | null | undefined) ?? [];
  return {
    flags,
    image: String(body.Image ?? ""),
    args: [...(entrypoint?.slice(1) ?? []), ...cmd],
  };
}

/** Other networks to connect after `docker run` (a container on several networks). */
function extraConnects(name: string, body: Body): string[] {
  const mode = String((body.HostConfig as Body | undefined)?.NetworkMode ?? "");
  const endpoints = endpointsOf(body);
  return Object.entries(endpoints).filter(([n]) => n !== mode).map(([n, e]) =>
    networkConnect(n, name, e.IPAMConfig?.IPv4Address, e.Aliases ?? [])
  );
}

/** `docker run` for a create request, in one of the three modes. */
export function runCommand(
  name: string,
  body: Body,
  mode: CliMode = "simple",
  networks: { name: string; subnet?: string; gateway?: string }[] = [],
  extraFlags: string[][] = [],
): string {
  const { flags: own, image, args } = runWords(name, body);
  const flags = [...own, ...extraFlags];
  const quoted = flags.map((f) => commandLine(f));
  const tail = [shellQuote(image), ...args.map(shellQuote)].join(" ");
  const after = extraConnects(name, body);
  if (mode === "simple") {
    return [["docker run", ...quoted, tail].join(" "), ...after].join("\n");
  }
  const multi = ["docker run \\", ...quoted.map((q) => `  ${q} \\`), `  ${tail}`].join("\n");
  if (mode === "intermediate") return [multi, ...after].join("\n");
  const lines = [
    "#!/usr/bin/env bash",
    `# Recreates the container ${name} (generated by Bosun).`,
    "set -euo pipefail",
    "",
    `NAME=${shellQuote(name)}`,
    "",
  ];
  for (const n of networks) {
    if (["bridge", "host", "none", "default"].includes(n.name)) continue;
    const create = ["docker", "network", "create"];
    if (n.subnet) create.push("--subnet", n.subnet);
    if (n.gateway) create.push("--gateway", n.gateway);
    create.push(n.name);
    lines.push(
      `docker network inspect ${shellQuote(n.name)} >/dev/null 2>&1 || ${commandLine(create)}`,
    );
  }
  lines.push(
    `docker pull ${shellQuote(image)} || echo "could not pull ${
      image.replaceAll('"', "")
    }; using the local image"`,
    'if docker container inspect "$NAME" >/dev/null 2>&1; then',
    '  docker stop "$NAME" >/dev/null',
    '  docker rm "$NAME" >/dev/null',
    "fi",
    multi,
    ...after,
    "",
    "sleep 3",
    `state=$(docker inspect -f '{{.State.Status}}' "$NAME")`,
    'if [ "$state" != running ]; then',
    '  echo "$NAME is $state:" >&2',
    '  docker logs --tail 50 "$NAME" >&2',
    "  exit 1",
    "fi",
    'echo "$NAME is running"',
  );
  return lines.join("\n");
}

/** `docker <action>` for a lifecycle action. */
export function containerAction(
  name: string,
  action: string,
  options: { t?: number; signal?: string } = {},
): string {
  const words = ["docker", action];
  if ((action === "stop" || action === "restart") && options.t !== undefined) {
    words.push("-t", String(options.t));
  }
  if (action === "kill" && options.signal) words.push("-s", options.signal);
  words.push(name);
  return commandLine(words);
}

/** `docker rm`. */
export function removeContainerCommand(
  name: string,
  o: { force?: boolean; volumes?: boolean },
): string {
  return commandLine([
    "docker",
    "rm",
    ...(o.force ? ["-f"] : []),
    ...(o.volumes ? ["-v"] : []),
    name,
  ]);
}

/** `docker rename`. */
export const renameCommand = (from: string, to: string) =>
  commandLine(["docker", "rename", from, to]);

/** `docker network connect`. */
export function networkConnect(
  network: string,
  container: string,
  ip?: string,
  aliases: string[] = [],
): string {
  return commandLine([
    "docker",
    "network",
    "connect",
    ...(ip ? ["--ip", ip] : []),
    ...aliases.flatMap((a) => ["--alias", a]),
    network,
    container,
  ]);
}

/** `docker network disconnect`. */
export const networkDisconnect = (network: string, container: string, force = false) =>
  commandLine(["docker", "network", "disconnect", ...(force ? ["-f"] : []), network, container]);

/** `docker network create`. */
export function networkCreate(
  name: string,
  o: {
    driver?: string;
    subnet?: string;
    gateway?: string;
    internal?: boolean;
    labels?: Record<string, string>;
  },
): string {
  return commandLine([
    "docker",
    "network",
    "create",
    ...(o.driver && o.driver !== "bridge" ? ["--driver", o.driver] : []),
    ...(o.subnet ? ["--subnet", o.subnet] : []),
    ...(o.gateway ? ["--gateway", o.gateway] : []),
    ...(o.internal ? ["--internal"] : []),
    ...Object.entries(o.labels ?? {}).flatMap(([k, v]) => ["--label", `${k}=${v}`]),
    name,
  ]);
}

/** `docker volume create`. */
export function volumeCreate(
  name: string,
  o: { driver?: string; labels?: Record<string, string>; options?: Record<string, string> },
): string {
  return commandLine([
    "docker",
    "volume",
    "create",
    ...(o.driver && o.driver !== "local" ? ["--driver", o.driver] : []),
    ...Object.entries(o.labels ?? {}).flatMap(([k, v]) => ["--label", `${k}=${v}`]),
    ...Object.entries(o.options ?? {}).flatMap(([k, v]) => ["--opt", `${k}=${v}`]),
    name,
  ]);
}

/** Simple one-liners. */
export const cli = {
  networkRemove: (n: string) => commandLine(["docker", "network", "rm", n]),
  networkPrune: () => "docker network prune -f",
  volumeRemove: (n: string) => commandLine(["docker", "volume", "rm", n]),
  volumePrune: () => "docker volume prune -f",
  imagePull: (ref: string) => commandLine(["docker", "pull", ref]),
  imageTag: (src: string, target: string) => commandLine(["docker", "tag", src, target]),
  imageRemove: (ref: string, force = false) =>
    commandLine(["docker", "image", "rm", ...(force ? ["-f"] : []), ref]),
  imagePrune: () => "docker image prune -f",
  stackUp: (project: string, file: string) =>
    commandLine(["docker", "compose", "-p", project, "-f", file, "up", "-d", "--remove-orphans"]),
  stackDown: (project: string, volumes: boolean) =>
    commandLine(["docker", "compose", "-p", project, "down", ...(volumes ? ["-v"] : [])]),
  stackAction: (project: string, action: string) =>
    commandLine(["docker", "compose", "-p", project, action]),
};
