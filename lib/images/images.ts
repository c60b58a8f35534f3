/** The images page: images with the containers using them. */
import type { DockerClient } from "../docker/client.ts";
import { listContainers } from "../docker/containers.ts";
import { type ImageSummary, listImages } from "../docker/images.ts";
import { ConflictError } from "../errors.ts";

/** An image as the images page shows it. */
export interface ImageView extends ImageSummary {
  /** Names of the containers (running or not) created from it. */
  usedBy: string[];
}

/** Every image with its users, newest first. */
export async function listImageViews(
  docker: DockerClient,
  options: { signal?: AbortSignal } = {},
): Promise<ImageView[]> {
  const [images, containers] = await Promise.all([
    listImages(docker, options),
    listContainers(docker, options),
  ]);
  const users = new Map<string, string[]>();
  for (const c of containers) users.set(c.imageId, [...(users.get(c.imageId) ?? []), c.name]);
  return images.map((i) => ({ ...i, usedBy: (users.get(i.id) ?? []).sort() }))
    .sort((a, b) => b.created - a.created);
}

/** Refuses to remove an image a container uses unless forced, naming the users. */
export async function assertImageRemovable(
  docker: DockerClient,
  id: string,
  force: boolean,
): Promise<void> {
  if (force) return;
  const containers = await listContainers(docker);
  const users = containers.filter((c) => c.imageId === id || c.imageId.startsWith(id)).map((c) =>
    c.name
  );
  if (users.length) {
    throw new ConflictError(`The image is used by ${users.join(", ")}: remove them first or force`);
  }
}
