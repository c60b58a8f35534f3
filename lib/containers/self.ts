/**
 * Recognising Bosun's own container: inside a container, the engine bind-mounts
 * `/etc/hostname` from `/var/lib/docker/containers/<id>/hostname`, which shows in
 * `/proc/self/mountinfo`. Bosun never stops, kills or removes that container.
 */

/** The container id found in a mountinfo text, or undefined outside a container. */
export function containerIdFromMountinfo(mountinfo: string): string | undefined {
  for (const line of mountinfo.split("\n")) {
    const m = /\/containers\/([0-9a-f]{64})\/(hostname|resolv\.conf|hosts)\s/.exec(line);
    if (m) return m[1];
  }
  return undefined;
}

/** Reads `/proc/self/mountinfo`; undefined when unreadable or not in a container. */
export async function detectSelfContainerId(
  read: (path: string) => Promise<string> = Deno.readTextFile,
): Promise<string | undefined> {
  try {
    return containerIdFromMountinfo(await read("/proc/self/mountinfo"));
  } catch {
    return undefined;
  }
}

/** Raised when an action would stop, kill or remove Bosun itself. */
export class SelfProtectionError extends Error {
  override name = "SelfProtectionError";
}
