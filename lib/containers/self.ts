/**
 * Recognising Bosun's own container, so it never stops, kills or removes itself. Deno grants
 * `/proc` reads only with --allow-all, so the container is found by what the engine tells:
 * `BOSUN_SELF_CONTAINER` (name or id) when set, else the container whose id starts with this
 * machine's host name (Docker's default host name is the short container id).
 */
import type { DockerClient } from "../docker/client.ts";
import { inspectContainer, listContainers } from "../docker/containers.ts";

/** Finds Bosun's own container id; undefined when Bosun does not run in a container here. */
export async function detectSelfContainerId(
  docker: DockerClient,
  options: { configured?: string; hostname?: string },
): Promise<string | undefined> {
  try {
    if (options.configured) return (await inspectContainer(docker, options.configured)).Id;
    const host = options.hostname?.toLowerCase() ?? "";
    if (!/^[0-9a-f]{12}$/.test(host)) return undefined;
    const running = await listContainers(docker, { filters: { id: [host] } });
    const matches = running.filter((c) => c.id.startsWith(host));
    return matches.length === 1 ? matches[0].id : undefined;
  } catch {
    return undefined;
  }
}

/** Raised when an action would stop, kill or remove Bosun itself. */
export class SelfProtectionError extends Error {
  override name = "SelfProtectionError";
}
