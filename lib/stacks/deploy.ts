/**
 * Compose stacks deployed natively through the Engine API (no `docker` CLI, so it works in
 * the distroless image): networks and volumes first, then containers in `depends_on` order
 * (waiting for `service_healthy` and `service_completed_successfully`), each carrying the
 * standard `com.docker.compose.*` labels so the Docker CLI sees the same project. Redeploy
 * recreates only services whose configuration changed. Managed stacks keep their file in
 * `<data>/stacks/<name>/compose.yaml`.
 */
import { createHash } from "node:crypto";
import type { DockerClient } from "../docker/client.ts";
import {
  type ContainerSummary,
  createContainer,
  inspectContainer,
  listContainers,
  removeContainer,
  restartContainer,
  startContainer,
  stopContainer,
} from "../docker/containers.ts";
import { DockerNotFoundError } from "../docker/errors.ts";
import { inspectImage, pullImage, type RegistryAuth } from "../docker/images.ts";
import {
  connectNetwork,
  createNetwork,
  inspectNetwork,
  listNetworks,
  removeNetwork,
} from "../docker/networks.ts";
import { createVolume, inspectVolume, listVolumes, removeVolume } from "../docker/volumes.ts";
import {
  ConfirmationRequiredError,
  ConflictError,
  NotFoundError,
  ValidationError,
} from "../errors.ts";
import { writeAtomically } from "../backup/writer.ts";
import { effectiveEnvironment } from "../containers/safety.ts";
import {
  type MountSpec,
  orderServices,
  parseCompose,
  parseEnvFile,
  type ProjectSpec,
  type ServiceSpec,
} from "./compose.ts";

/** The compose project label, and the others Docker's tools read. */
export const PROJECT_LABEL = "com.docker.compose.project";
export const SERVICE_LABEL = "com.docker.compose.service";
const HASH_LABEL = "com.docker.compose.config-hash";

/** A stack name: what `docker compose -p` accepts. */
export const STACK_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** What stack operations need. */
export interface StackDeps {
  docker: DockerClient;
  dataDir: string;
  /** Bosun's own container, to find the host path of its data directory. */
  selfId?: string;
  /** Credentials for pulling an image, by reference. */
  pullAuth?: (reference: string) => Promise<RegistryAuth | undefined>;
}

/** Told each step of a deploy. */
export type OnStep = (step: string) => void;

function stackDir(dataDir: string, name: string): string {
  if (!STACK_NAME.test(name)) throw new ValidationError(`"${name}" is not a stack name`);
  return `${dataDir}/stacks/${name}`;
}

/** The stored compose file and `.env` of a managed stack (undefined when not managed). */
export async function readStackFiles(
  dataDir: string,
  name: string,
): Promise<{ compose: string; env: string } | undefined> {
  const dir = stackDir(dataDir, name);
  try {
    const compose = await Deno.readTextFile(`${dir}/compose.yaml`);
    const env = await Deno.readTextFile(`${dir}/.env`).catch(() => "");
    return { compose, env };
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
}

/** Validates and stores a stack's compose file (and `.env`); resolves with the warnings. */
export async function saveStackFiles(
  dataDir: string,
  name: string,
  files: { compose: string; env?: string },
): Promise<ProjectSpec["warnings"]> {
  const spec = parseCompose(files.compose, parseEnvFile(files.env ?? ""));
  const dir = stackDir(dataDir, name);
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  await writeAtomically(`${dir}/compose.yaml`, files.compose);
  if (files.env !== undefined) await writeAtomically(`${dir}/.env`, files.env);
  return spec.warnings;
}

/** Removes a managed stack's files (refused while it has containers). */
export async function deleteStackFiles(deps: StackDeps, name: string): Promise<void> {
  if ((await projectContainers(deps.docker, name)).length) {
    throw new ConflictError(`"${name}" still has containers: take it down first`);
  }
  const dir = stackDir(deps.dataDir, name);
  try {
    await Deno.remove(dir, { recursive: true });
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) throw new NotFoundError(`No stack "${name}"`);
    throw err;
  }
}

/**
 * The stack folder's path on the host, for relative bind mounts: the data directory itself
 * on bare metal; inside a container, found from Bosun's own mounts — refused with a clear
 * message when the data directory is not mounted from the host.
 */
export async function hostStackDir(deps: StackDeps, name: string): Promise<string> {
  const dataDir = await Deno.realPath(deps.dataDir);
  if (!deps.selfId) return `${dataDir}/stacks/${name}`;
  const self = await inspectContainer(deps.docker, deps.selfId) as {
    Mounts?: { Source?: string; Destination?: string }[];
  };
  const mount = (self.Mounts ?? [])
    .filter((m) =>
      m.Destination && m.Source &&
      (dataDir === m.Destination || dataDir.startsWith(`${m.Destination}/`))
    )
    .sort((a, b) => b.Destination!.length - a.Destination!.length)[0];
  if (!mount) {
    throw new ValidationError(
      `Bosun runs in a container and its data directory ${dataDir} is not mounted from the host, so relative bind paths cannot be resolved: mount it from the host, or use absolute paths`,
    );
  }
  return `${mount.Source}${dataDir.slice(mount.Destination!.length)}/stacks/${name}`;
}

/** The containers of a compose project (any tool's). */
export async function projectContainers(
  docker: DockerClient,
  project: string,
): Promise<ContainerSummary[]> {
  return await listContainers(docker, { filters: { label: [`${PROJECT_LABEL}=${project}`] } });
}

/** The engine's name of a stack's network or volume: its `name`, else `<project>_<key>`. */
const resourceName = (project: string, key: string, spec?: { name?: string; external?: boolean }) =>
  spec?.name ?? (spec?.external ? key : `${project}_${key}`);

function restartPolicy(text?: string): Record<string, unknown> {
  if (!text || text === "no") return { Name: "no" };
  const [name, count] = text.split(":");
  return name === "on-failure"
    ? { Name: name, MaximumRetryCount: Number(count ?? 0) }
    : { Name: name };
}

/** `/a/./b/../c/` → `/a/c` (an absolute POSIX path). */
export function normalisePath(path: string): string {
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (!part || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return "/" + out.join("/");
}

/** The create request of a service, and the networks to connect after create. */
export function serviceBody(
  project: string,
  spec: ProjectSpec,
  s: ServiceSpec,
  hostDir: string,
): {
  body: Record<string, unknown>;
  extraNetworks: { name: string; endpoint: Record<string, unknown> }[];
} {
  // Named and anonymous volumes are exact mounts; binds go through Binds, which (like
  // `docker compose`) creates a missing host folder.
  const mounts = s.volumes.filter((m) => m.type === "volume").map((m: MountSpec) => ({
    Type: "volume",
    ...(m.source ? { Source: resourceName(project, m.source, spec.volumes[m.source]) } : {}),
    Target: m.target,
    ReadOnly: m.readOnly,
  }));
  const binds = s.volumes.filter((m) => m.type === "bind").map((m) => {
    const source = m.source ?? "";
    if (source.startsWith("~")) throw new ValidationError(`${s.name}: "~" paths are not supported`);
    const abs = normalisePath(source.startsWith("/") ? source : `${hostDir}/${source}`);
    return `${abs}:${m.target}${m.readOnly ? ":ro" : ""}`;
  });
  const ports: Record<string, { HostIp?: string; HostPort?: string }[]> = {};
  const exposed: Record<string, Record<string, never>> = {};
  for (const p of s.ports) {
    const key = `${p.target}/${p.protocol}`;
    exposed[key] = {};
    (ports[key] ??= []).push({
      ...(p.hostIp ? { HostIp: p.hostIp } : {}),
      HostPort: p.published ? String(p.published) : "",
    });
  }
  const nets = s.networks.length ? s.networks : [{ name: "default", aliases: [] }];
  const endpoint = (n: (typeof nets)[number]) => ({
    ...("ipv4Address" in n && n.ipv4Address ? { IPAMConfig: { IPv4Address: n.ipv4Address } } : {}),
    Aliases: [s.name, ...n.aliases],
  });
  const dockerNet = (n: string) => resourceName(project, n, spec.networks[n]);
  const health = s.healthcheck === "disable" ? { Test: ["NONE"] } : s.healthcheck
    ? {
      Test: s.healthcheck.test,
      Interval: s.healthcheck.interval,
      Timeout: s.healthcheck.timeout,
      Retries: s.healthcheck.retries,
      StartPeriod: s.healthcheck.startPeriod,
    }
    : undefined;
  const body: Record<string, unknown> = {
    Image: s.image,
    ...(s.command ? { Cmd: s.command } : {}),
    ...(s.entrypoint ? { Entrypoint: s.entrypoint } : {}),
    Env: Object.entries(s.environment).map(([k, v]) => `${k}=${v}`),
    Labels: {
      ...s.labels,
      [PROJECT_LABEL]: project,
      [SERVICE_LABEL]: s.name,
      "com.docker.compose.container-number": "1",
      "com.docker.compose.oneoff": "False",
      "com.docker.compose.project.working_dir": hostDir,
      "com.docker.compose.project.config_files": `${hostDir}/compose.yaml`,
    },
    ...(s.user !== undefined ? { User: s.user } : {}),
    ...(s.workingDir ? { WorkingDir: s.workingDir } : {}),
    ...(Object.keys(exposed).length ? { ExposedPorts: exposed } : {}),
    ...(health ? { Healthcheck: health } : {}),
    HostConfig: {
      Mounts: mounts,
      Binds: binds,
      PortBindings: ports,
      RestartPolicy: restartPolicy(s.restart),
      CapAdd: s.capAdd,
      CapDrop: s.capDrop,
      ...(s.memoryBytes ? { Memory: s.memoryBytes } : {}),
      ...(s.nanoCpus ? { NanoCpus: s.nanoCpus } : {}),
      ExtraHosts: s.extraHosts,
      SecurityOpt: s.securityOpt,
      ...(s.logging ? { LogConfig: { Type: s.logging.driver, Config: s.logging.options } } : {}),
      ...(s.pidsLimit ? { PidsLimit: s.pidsLimit } : {}),
      NetworkMode: dockerNet(nets[0].name),
    },
    NetworkingConfig: { EndpointsConfig: { [dockerNet(nets[0].name)]: endpoint(nets[0]) } },
  };
  const hash = createHash("sha256").update(JSON.stringify(body)).digest("hex");
  (body.Labels as Record<string, string>)[HASH_LABEL] = hash;
  return {
    body,
    extraNetworks: nets.slice(1).map((n) => ({ name: dockerNet(n.name), endpoint: endpoint(n) })),
  };
}

/** What a deploy did to each service. */
export interface DeployResult {
  services: { name: string; action: "created" | "recreated" | "unchanged"; container: string }[];
  warnings: ProjectSpec["warnings"];
}

async function waitFor(
  docker: DockerClient,
  id: string,
  condition: "service_healthy" | "service_completed_successfully",
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const c = await inspectContainer(docker, id) as {
      Name: string;
      State: { Status: string; ExitCode?: number; Health?: { Status: string } };
    };
    const name = c.Name.replace(/^\//, "");
    if (condition === "service_healthy") {
      if (c.State.Health?.Status === "healthy") return;
      if (!c.State.Health) throw new ValidationError(`${name} has no healthcheck to wait for`);
      if (c.State.Health.Status === "unhealthy") throw new ConflictError(`${name} is unhealthy`);
      if (c.State.Status === "exited") {
        throw new ConflictError(`${name} exited before it was healthy`);
      }
    } else if (c.State.Status === "exited") {
      if (c.State.ExitCode === 0) return;
      throw new ConflictError(`${name} exited with code ${c.State.ExitCode}`);
    }
    if (Date.now() > deadline) throw new ConflictError(`${name} did not get there in time`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Deploys (or redeploys) a managed stack; only changed services are recreated. */
export async function deployStack(
  deps: StackDeps,
  name: string,
  options: { onStep?: OnStep; waitMs?: number } = {},
): Promise<DeployResult> {
  const step = options.onStep ?? (() => {});
  const files = await readStackFiles(deps.dataDir, name);
  if (!files) throw new NotFoundError(`No managed stack "${name}": save its compose file first`);
  const spec = parseCompose(files.compose, parseEnvFile(files.env));
  const { docker } = deps;
  const hostDir = await hostStackDir(deps, name);
  await Deno.mkdir(stackDir(deps.dataDir, name), { recursive: true });

  const usesDefault = spec.services.some((s) =>
    !s.networks.length ||
    s.networks.some((n) => n.name === "default")
  );
  const netKeys = [
    ...Object.keys(spec.networks),
    ...(usesDefault && !spec.networks.default ? ["default"] : []),
  ];
  for (const key of netKeys) {
    const def = spec.networks[key];
    const dockerName = resourceName(name, key, def);
    const exists = await inspectNetwork(docker, dockerName).catch((err) => {
      if (err instanceof DockerNotFoundError) return undefined;
      throw err;
    });
    if (exists) continue;
    if (def?.external) {
      throw new NotFoundError(`The external network "${dockerName}" does not exist`);
    }
    step(`creating network ${dockerName}`);
    await createNetwork(docker, {
      name: dockerName,
      driver: def?.driver ?? "bridge",
      internal: false,
      attachable: false,
      enableIPv6: false,
      ipam: { driver: "default", config: def?.subnet ? [{ Subnet: def.subnet }] : [], options: {} },
      options: {},
      labels: { [PROJECT_LABEL]: name, "com.docker.compose.network": key },
    });
  }
  for (const [key, def] of Object.entries(spec.volumes)) {
    const dockerName = resourceName(name, key, def);
    if (await inspectVolume(docker, dockerName)) continue;
    if (def.external) throw new NotFoundError(`The external volume "${dockerName}" does not exist`);
    step(`creating volume ${dockerName}`);
    await createVolume(docker, {
      name: dockerName,
      driver: def.driver ?? "local",
      labels: { [PROJECT_LABEL]: name, "com.docker.compose.volume": key },
    });
  }

  const existing = await projectContainers(docker, name);
  const result: DeployResult = { services: [], warnings: spec.warnings };
  const ids = new Map<string, string>();
  for (const s of orderServices(spec.services)) {
    for (const d of s.dependsOn) {
      const dep = ids.get(d.service);
      if (dep && d.condition !== "service_started") {
        step(`waiting for ${d.service} (${d.condition.replace("service_", "")})`);
        await waitFor(docker, dep, d.condition, options.waitMs ?? 120_000);
      }
    }
    if (s.envFiles.length) {
      // env_file values first; `environment` wins, as in compose.
      const fromFiles: Record<string, string> = {};
      for (const f of s.envFiles) {
        const path = `${stackDir(deps.dataDir, name)}/${f}`;
        const text = await Deno.readTextFile(path).catch(() => {
          throw new NotFoundError(`${s.name}: the env_file "${f}" is not in the stack folder`);
        });
        Object.assign(fromFiles, parseEnvFile(text));
      }
      s.environment = { ...fromFiles, ...s.environment };
    }
    const { body, extraNetworks } = serviceBody(name, spec, s, hostDir);
    const hash = (body.Labels as Record<string, string>)[HASH_LABEL];
    const current = existing.find((c) => c.labels[SERVICE_LABEL] === s.name);
    if (current && current.id === deps.selfId) {
      ids.set(s.name, current.id);
      result.services.push({ name: s.name, action: "unchanged", container: current.name });
      step(`${s.name}: Bosun itself, left as it is`);
      continue;
    }
    if (current && current.labels[HASH_LABEL] === hash) {
      if (current.state !== "running") await startContainer(docker, current.id);
      ids.set(s.name, current.id);
      result.services.push({ name: s.name, action: "unchanged", container: current.name });
      step(`${s.name}: unchanged`);
      continue;
    }
    if (!await inspectImage(docker, s.image)) {
      step(`pulling ${s.image}`);
      await pullImage(docker, s.image, { auth: await deps.pullAuth?.(s.image) });
    }
    const containerName = s.containerName ?? `${name}-${s.name}-1`;
    if (current) {
      step(`${s.name}: recreating (its configuration changed)`);
      await stopContainer(docker, current.id, { timeoutSeconds: 10 }).catch(() => {});
      await removeContainer(docker, current.id, { force: true });
    } else step(`${s.name}: creating ${containerName}`);
    const id = await createContainer(docker, containerName, body);
    for (const n of extraNetworks) await connectNetwork(docker, n.name, id, n.endpoint);
    await startContainer(docker, id);
    ids.set(s.name, id);
    result.services.push({
      name: s.name,
      action: current ? "recreated" : "created",
      container: containerName,
    });
  }
  // Services removed from the file go too (compose's --remove-orphans).
  for (const c of existing) {
    if (c.id === deps.selfId) continue;
    if (!spec.services.some((s) => s.name === c.labels[SERVICE_LABEL])) {
      step(`removing ${c.name} (no longer in the file)`);
      await removeContainer(docker, c.id, { force: true });
    }
  }
  step("deployed");
  return result;
}

/** Starts, stops or restarts every container of a project (in dependency order when known). */
export async function stackAction(
  deps: StackDeps,
  name: string,
  action: "start" | "stop" | "restart",
): Promise<string[]> {
  // Bosun never stops or restarts itself, also when it is part of the stack.
  const containers = (await projectContainers(deps.docker, name)).filter((c) =>
    c.id !== deps.selfId
  );
  if (!containers.length) throw new NotFoundError(`No containers of the stack "${name}"`);
  const files = await readStackFiles(deps.dataDir, name).catch(() => undefined);
  let order = containers;
  if (files) {
    try {
      const services = orderServices(parseCompose(files.compose, parseEnvFile(files.env)).services)
        .map((s) => s.name);
      order = [...containers].sort((a, b) =>
        services.indexOf(a.labels[SERVICE_LABEL]) - services.indexOf(b.labels[SERVICE_LABEL])
      );
    } catch {
      // an invalid file: any order
    }
  }
  if (action === "stop") order = [...order].reverse();
  for (const c of order) {
    if (action === "start") await startContainer(deps.docker, c.id);
    else if (action === "stop") await stopContainer(deps.docker, c.id, { timeoutSeconds: 10 });
    else await restartContainer(deps.docker, c.id, { timeoutSeconds: 10 });
  }
  return order.map((c) => c.name);
}

/** Takes a stack down: its containers and networks removed, its volumes too when asked. */
export async function downStack(
  deps: StackDeps,
  name: string,
  options: { volumes?: boolean; confirm?: string; hostEnvironment?: string } = {},
): Promise<{ containers: string[]; networks: string[]; volumes: string[] }> {
  const { docker } = deps;
  const all = await projectContainers(docker, name);
  const prd = all.filter((c) =>
    effectiveEnvironment(c.labels, options.hostEnvironment ?? "") === "PRD"
  );
  if (prd.length && options.confirm !== name) {
    throw new ConfirmationRequiredError(
      `The stack "${name}" holds PRD containers (${
        prd.map((c) => c.name).join(", ")
      }): to take it down, send confirm equal to the stack's name`,
      name,
    );
  }
  if (all.some((c) => c.id === deps.selfId)) {
    throw new ConflictError(`Bosun runs in the stack "${name}": it does not take itself down`);
  }
  for (const c of all) {
    await stopContainer(docker, c.id, { timeoutSeconds: 10 }).catch(() => {});
    await removeContainer(docker, c.id, { force: true });
  }
  const networks: string[] = [];
  for (const n of await listNetworks(docker)) {
    if (n.labels[PROJECT_LABEL] !== name) continue;
    await removeNetwork(docker, n.id);
    networks.push(n.name);
  }
  const volumes: string[] = [];
  if (options.volumes) {
    for (const v of await listVolumes(docker)) {
      if (v.labels[PROJECT_LABEL] !== name) continue;
      await removeVolume(docker, v.name);
      volumes.push(v.name);
    }
  }
  return { containers: all.map((c) => c.name), networks, volumes };
}

/** One stack as listed. */
export interface StackView {
  name: string;
  managed: boolean;
  state: "running" | "partial" | "stopped" | "not deployed";
  services: {
    name: string;
    containers: { id: string; name: string; state: string; status: string }[];
  }[];
  workingDir?: string;
}

/** Every compose project on the engine (any tool's), plus managed stacks not deployed. */
export async function listStacks(deps: StackDeps): Promise<StackView[]> {
  const containers = (await listContainers(deps.docker)).filter((c) => c.labels[PROJECT_LABEL]);
  const byProject = new Map<string, ContainerSummary[]>();
  for (const c of containers) {
    const p = c.labels[PROJECT_LABEL];
    byProject.set(p, [...(byProject.get(p) ?? []), c]);
  }
  const managed = new Set<string>();
  try {
    for await (const e of Deno.readDir(`${deps.dataDir}/stacks`)) {
      if (e.isDirectory && STACK_NAME.test(e.name)) {
        const files = await readStackFiles(deps.dataDir, e.name);
        if (files) managed.add(e.name);
      }
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  const names = new Set([...byProject.keys(), ...managed]);
  return [...names].sort().map((name) => {
    const cs = byProject.get(name) ?? [];
    const services = new Map<string, StackView["services"][number]["containers"]>();
    for (const c of cs) {
      const s = c.labels[SERVICE_LABEL] ?? c.name;
      services.set(s, [...(services.get(s) ?? []), {
        id: c.id,
        name: c.name,
        state: c.state,
        status: c.status,
      }]);
    }
    const running = cs.filter((c) => c.state === "running").length;
    return {
      name,
      managed: managed.has(name),
      state: !cs.length
        ? "not deployed"
        : running === cs.length
        ? "running"
        : running
        ? "partial"
        : "stopped",
      services: [...services].sort(([a], [b]) => a.localeCompare(b)).map(([n, containers]) => ({
        name: n,
        containers,
      })),
      workingDir: cs[0]?.labels["com.docker.compose.project.working_dir"],
    };
  });
}
