/**
 * Recreating a container from its full configuration, with optional changes — the one
 * implementation that restore, updates and container editing use. The old container is
 * stopped and renamed aside, the new one created (every network with its static IPs and
 * aliases), started if the old one ran; any failure puts the old one back as it was.
 */
import { compareApiVersions, type DockerClient } from "../docker/client.ts";
import {
  type ContainerInspect,
  createContainer,
  inspectContainer,
  removeContainer,
  renameContainer,
  startContainer,
  stopContainer,
} from "../docker/containers.ts";
import { isDeepStrictEqual } from "node:util";
import { connectNetwork } from "../docker/networks.ts";
import { containerName, HELPER_LABEL } from "./lifecycle.ts";

/** Changes applied on top of the copied configuration. */
export interface RecreateChanges {
  /** Replaces `Config.Image` (updates). */
  image?: string;
  /** Merged into `Config` (shallow). */
  config?: Record<string, unknown>;
  /** Merged into `HostConfig` (shallow). */
  hostConfig?: Record<string, unknown>;
}

/** A create request built from an inspect: the body, and networks to connect afterwards. */
export interface CreatePlan {
  body: Record<string, unknown>;
  /** Networks that must be connected after create (engines below API 1.44). */
  connectAfter: { network: string; endpoint: Record<string, unknown> }[];
}

const CONFIG_KEYS = [
  "Hostname",
  "Domainname",
  "User",
  "AttachStdin",
  "AttachStdout",
  "AttachStderr",
  "ExposedPorts",
  "Tty",
  "OpenStdin",
  "StdinOnce",
  "Env",
  "Cmd",
  "Healthcheck",
  "ArgsEscaped",
  "Image",
  "Volumes",
  "WorkingDir",
  "Entrypoint",
  "NetworkDisabled",
  "MacAddress",
  "OnBuild",
  "Labels",
  "StopSignal",
  "StopTimeout",
  "Shell",
];

/** The endpoint settings a new container needs to join a network as the old one did. */
function endpointFor(
  settings: Record<string, unknown>,
  shortId: string,
): Record<string, unknown> {
  const aliases = (settings.Aliases as string[] | null | undefined ?? []).filter((a) =>
    a !== shortId
  );
  const endpoint: Record<string, unknown> = {};
  if (settings.IPAMConfig) endpoint.IPAMConfig = settings.IPAMConfig;
  if (aliases.length) endpoint.Aliases = aliases;
  if (settings.Links) endpoint.Links = settings.Links;
  if (settings.DriverOpts) endpoint.DriverOpts = settings.DriverOpts;
  return endpoint;
}

/**
 * Anonymous volumes (`VOLUME` in the image, `-v /data`) would be created afresh, empty; the
 * new container mounts the old ones by name instead, so no data is left behind.
 */
function keepAnonymousVolumes(inspect: ContainerInspect, hostConfig: Record<string, unknown>) {
  const binds = (hostConfig.Binds as string[] | null | undefined) ?? [];
  const mounts = [...((hostConfig.Mounts as Record<string, unknown>[] | null | undefined) ?? [])];
  const covered = new Set([
    ...binds.map((b) => b.split(":")[1]),
    ...mounts.map((m) => String(m.Target)),
  ]);
  const current = ((inspect as { Mounts?: Record<string, unknown>[] }).Mounts) ?? [];
  for (const m of current) {
    if (m.Type !== "volume" || covered.has(String(m.Destination))) continue;
    mounts.push({
      Type: "volume",
      Source: m.Name,
      Target: m.Destination,
      ReadOnly: m.RW === false,
    });
  }
  if (mounts.length) hostConfig.Mounts = mounts;
}

/** Builds the create request that reproduces `inspect` (plus `changes`) on `apiVersion`. */
export function planCreate(
  inspect: ContainerInspect,
  apiVersion: string,
  changes: RecreateChanges = {},
): CreatePlan {
  const config = inspect.Config as Record<string, unknown>;
  const body: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) if (config[key] !== undefined) body[key] = config[key];
  const shortId = inspect.Id.slice(0, 12);
  if (body.Hostname === shortId) delete body.Hostname; // the engine's default: a new id gets a new one
  if (changes.image) body.Image = changes.image;
  Object.assign(body, changes.config ?? {});
  body.HostConfig = {
    ...(inspect as { HostConfig?: Record<string, unknown> }).HostConfig,
    ...(changes.hostConfig ?? {}),
  };
  keepAnonymousVolumes(inspect, body.HostConfig as Record<string, unknown>);

  const networks = Object.entries(
    ((inspect as { NetworkSettings?: { Networks?: Record<string, Record<string, unknown>> } })
      .NetworkSettings?.Networks) ?? {},
  );
  const mode = String((body.HostConfig as Record<string, unknown>).NetworkMode ?? "default");
  const usesNetworks = !/^(host|none|container:)/.test(mode);
  const endpoints = usesNetworks
    ? networks.map(([name, s]) => ({ network: name, endpoint: endpointFor(s, shortId) }))
    : [];
  // Create on the network named by NetworkMode first (or the first one), then the rest.
  endpoints.sort((a, b) => Number(b.network === mode) - Number(a.network === mode));
  const multiInCreate = compareApiVersions(apiVersion, "1.44") >= 0;
  const inCreate = multiInCreate ? endpoints : endpoints.slice(0, 1);
  if (inCreate.length) {
    body.NetworkingConfig = {
      EndpointsConfig: Object.fromEntries(inCreate.map((e) => [e.network, e.endpoint])),
    };
  }
  return { body, connectAfter: multiInCreate ? [] : endpoints.slice(1) };
}

/** Options of a recreate. */
export interface RecreateOptions {
  changes?: RecreateChanges;
  /** Keep the old container (renamed `<name>-bosun-old`) for the caller to verify and remove. */
  keepOld?: boolean;
  stopTimeoutSeconds?: number;
  signal?: AbortSignal;
}

/** The outcome of a recreate. */
export interface RecreateResult {
  id: string;
  name: string;
  /** The old container's id when `keepOld` was asked for. */
  oldId?: string;
  oldName?: string;
}

/** Suffix the old container carries while its replacement is checked. */
export const OLD_SUFFIX = "-bosun-old";

/**
 * True for Bosun's own work containers — a helper, or the old container kept aside while its
 * replacement is checked — which checks, health and exports pass over.
 */
export function isWorkContainer(c: { name: string; labels: Record<string, string> }): boolean {
  return c.labels[HELPER_LABEL] === "true" || c.name.endsWith(OLD_SUFFIX);
}

/** Recreates a container; on failure the old one is renamed back and restarted. */
export async function recreateContainer(
  docker: DockerClient,
  ref: string,
  options: RecreateOptions = {},
): Promise<RecreateResult> {
  const { signal } = options;
  const old = await inspectContainer(docker, ref, { signal });
  const name = containerName(old);
  const wasRunning = ["running", "restarting"].includes(old.State.Status);
  const plan = planCreate(old, await docker.apiVersion(signal), options.changes);
  const oldName = `${name}${OLD_SUFFIX}`;
  let renamed = false;
  let newId: string | undefined;
  try {
    if (wasRunning) {
      await stopContainer(docker, old.Id, { timeoutSeconds: options.stopTimeoutSeconds ?? 10 });
    }
    await renameContainer(docker, old.Id, oldName);
    renamed = true;
    newId = await createContainer(docker, name, plan.body, { signal });
    for (const { network, endpoint } of plan.connectAfter) {
      await connectNetwork(docker, network, newId, endpoint, { signal });
    }
    if (wasRunning) await startContainer(docker, newId, { signal });
  } catch (err) {
    if (newId) await removeContainer(docker, newId, { force: true }).catch(() => {});
    if (renamed) await renameContainer(docker, old.Id, name).catch(() => {});
    if (wasRunning) await startContainer(docker, old.Id).catch(() => {});
    throw err;
  }
  if (options.keepOld) return { id: newId, name, oldId: old.Id, oldName };
  await removeContainer(docker, old.Id, { force: true });
  return { id: newId, name };
}

const CONFIG_INHERITED = [
  "Cmd",
  "Entrypoint",
  "WorkingDir",
  "User",
  "Healthcheck",
  "StopSignal",
  "Shell",
];

/**
 * The configuration changes that let a recreated container take the new image's defaults:
 * every value the container only has because the old image set it is dropped (Cmd,
 * Entrypoint, Env entries, labels, …), while what the user set stays.
 */
export function rebaseOnImage(
  containerConfig: Record<string, unknown>,
  oldImageConfig: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of CONFIG_INHERITED) {
    const value = containerConfig[key];
    if (value === undefined || value === null) continue;
    if (
      isDeepStrictEqual(
        value,
        oldImageConfig[key] ??
          (key === "WorkingDir" || key === "User" || key === "StopSignal" ? "" : null),
      )
    ) {
      out[key] = null;
    }
  }
  const imageEnv = new Set((oldImageConfig.Env as string[] | null | undefined) ?? []);
  const env = (containerConfig.Env as string[] | null | undefined) ?? [];
  if (env.some((e) => imageEnv.has(e))) out.Env = env.filter((e) => !imageEnv.has(e));
  const imageLabels = (oldImageConfig.Labels as Record<string, string> | null | undefined) ?? {};
  const labels = (containerConfig.Labels as Record<string, string> | null | undefined) ?? {};
  if (Object.keys(imageLabels).length) {
    out.Labels = Object.fromEntries(
      Object.entries(labels).filter(([k, v]) => imageLabels[k] !== v),
    );
  }
  for (const key of ["ExposedPorts", "Volumes"]) {
    const fromImage = (oldImageConfig[key] as Record<string, unknown> | null | undefined) ?? {};
    const own = (containerConfig[key] as Record<string, unknown> | null | undefined) ?? {};
    if (Object.keys(fromImage).length) {
      const kept = Object.fromEntries(Object.entries(own).filter(([k]) => !(k in fromImage)));
      out[key] = Object.keys(kept).length ? kept : null;
    }
  }
  out.ArgsEscaped = null;
  out.OnBuild = null;
  return out;
}
