/**
 * Helper containers: created (never started) from a nearly empty image Bosun loads itself,
 * so volumes can be read and written through the archive endpoints on a host with no images
 * and no internet. Helpers are unprivileged, drop every capability, join no network, mount
 * only the volumes the job needs, and carry the helper label for garbage collection.
 */
import { createHash } from "node:crypto";
import { packTar } from "modern-tar";
import type { DockerClient } from "../docker/client.ts";
import { createContainer, listContainers, removeContainer } from "../docker/containers.ts";
import { inspectImage, loadImage } from "../docker/images.ts";
import { HELPER_LABEL } from "../containers/lifecycle.ts";

/** The helper image's reference. */
export const HELPER_IMAGE = "bosun/helper:1";

function sha256(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** The helper image as a `docker load` tarball: one layer holding one empty marker file. */
export async function helperImageTarball(arch = Deno.build.arch): Promise<Uint8Array> {
  const layer = await packTar([
    { header: { name: ".bosun-helper", size: 0, mtime: new Date(0), mode: 0o444 }, body: "" },
  ]);
  const config = new TextEncoder().encode(JSON.stringify({
    architecture: arch === "aarch64" ? "arm64" : "amd64",
    os: "linux",
    config: { Labels: { [HELPER_LABEL]: "true" } },
    rootfs: { type: "layers", diff_ids: [`sha256:${sha256(layer)}`] },
    created: "1970-01-01T00:00:00Z",
  }));
  const configName = `${sha256(config)}.json`;
  const manifest = JSON.stringify([{
    Config: configName,
    RepoTags: [HELPER_IMAGE],
    Layers: ["layer/layer.tar"],
  }]);
  return await packTar([
    { header: { name: "layer/", type: "directory", size: 0 } },
    { header: { name: "layer/layer.tar", size: layer.length }, body: layer },
    { header: { name: configName, size: config.length }, body: config },
    { header: { name: "manifest.json", size: manifest.length }, body: manifest },
  ]);
}

/** Loads the helper image when the engine does not have it. */
export async function ensureHelperImage(docker: DockerClient): Promise<void> {
  if (await inspectImage(docker, HELPER_IMAGE)) return;
  await loadImage(docker, await helperImageTarball());
}

/** A volume or host path to mount into a helper. */
export interface HelperMount {
  /** "volume" (default) or "bind" (a host path, for bind-mount backups and restores). */
  type?: "volume" | "bind";
  /** The volume name, or the host path of a bind. */
  source: string;
  target: string;
  readOnly?: boolean;
}

const isWritableBind = (m: HelperMount) => m.type === "bind" && !m.readOnly;

/** Creates a helper with the given volumes mounted; never started. */
export async function createHelper(
  docker: DockerClient,
  purpose: string,
  mounts: HelperMount[],
): Promise<string> {
  await ensureHelperImage(docker);
  return await createContainer(docker, undefined, {
    Image: HELPER_IMAGE,
    Cmd: ["/bosun-helper-is-never-started"],
    Labels: { [HELPER_LABEL]: "true", "bosun.helper.purpose": purpose },
    NetworkDisabled: true,
    HostConfig: {
      NetworkMode: "none",
      Privileged: false,
      CapDrop: ["ALL"],
      SecurityOpt: ["no-new-privileges"],
      // A writable bind goes through Binds, which creates a missing host directory (a
      // restore onto another host); everything else is an exact mount.
      Binds: mounts.filter(isWritableBind).map((m) => `${m.source}:${m.target}`),
      Mounts: mounts.filter((m) => !isWritableBind(m)).map((m) => ({
        Type: m.type ?? "volume",
        Source: m.source,
        Target: m.target,
        ReadOnly: m.readOnly ?? false,
      })),
    },
  });
}

/** Removes a helper (never its volumes). */
export async function removeHelper(docker: DockerClient, id: string): Promise<void> {
  await removeContainer(docker, id, { force: true, volumes: false });
}

/**
 * Removes every helper left behind (e.g. after a crash) that was created before `before`
 * (unix seconds, exclusive), so a collection running in the background never takes a helper a job of
 * this process has just created; resolves with how many.
 */
export async function collectHelpers(
  docker: DockerClient,
  before = Math.floor(Date.now() / 1000),
): Promise<number> {
  const helpers = (await listContainers(docker, {
    filters: { label: [`${HELPER_LABEL}=true`] },
  })).filter((h) => h.created < before);
  for (const h of helpers) await removeHelper(docker, h.id).catch(() => {});
  return helpers.length;
}
