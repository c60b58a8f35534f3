/** The archive endpoints of the Engine API (a container's files as tar), one function per call. */
import type { IncomingMessage } from "node:http";
import { z } from "zod";
import { decodeBase64 } from "../shared/base64.ts";
import type { DockerClient } from "./client.ts";
import { DockerNotFoundError } from "./errors.ts";

/** What `HEAD /containers/{id}/archive` says about a path. */
export interface PathStat {
  name: string;
  size: number;
  /** Go `os.FileMode` bits. */
  mode: number;
  mtime: string;
  /** For a symlink: its target fully resolved inside the container. */
  linkTarget: string;
}

const DIR = 0x80000000;
const SYMLINK = 0x08000000;
/** True when the stat is of a directory. */
export const isDirStat = (s: PathStat) => (s.mode & DIR) !== 0;
/** True when the stat is of a symbolic link. */
export const isSymlinkStat = (s: PathStat) => (s.mode & SYMLINK) !== 0;

const StatSchema = z.object({
  name: z.string(),
  size: z.number(),
  mode: z.number(),
  mtime: z.string(),
  linkTarget: z.string().default(""),
});

/** `HEAD /containers/{id}/archive?path=`: the path's stat, or undefined when it does not exist. */
export async function statPath(
  docker: DockerClient,
  id: string,
  path: string,
  options: { signal?: AbortSignal } = {},
): Promise<PathStat | undefined> {
  let res: IncomingMessage;
  try {
    res = await docker.stream("HEAD", `/containers/${encodeURIComponent(id)}/archive`, {
      query: { path },
      signal: options.signal,
    });
  } catch (err) {
    // The helper exists, so a 404 here is the path.
    if (err instanceof DockerNotFoundError) return undefined;
    throw err;
  }
  res.resume();
  const header = res.headers["x-docker-container-path-stat"];
  if (typeof header !== "string") return undefined;
  return StatSchema.parse(JSON.parse(new TextDecoder().decode(decodeBase64(header))));
}

/** `GET /containers/{id}/archive?path=`: the path as a tar stream (cancel to stop early). */
export async function getArchive(
  docker: DockerClient,
  id: string,
  path: string,
  options: { signal?: AbortSignal } = {},
): Promise<ReadableStream<Uint8Array>> {
  return await docker.download(`/containers/${encodeURIComponent(id)}/archive`, {
    query: { path },
    signal: options.signal,
  });
}

/** `PUT /containers/{id}/archive?path=`: extracts a tar stream into a directory. */
export async function putArchive(
  docker: DockerClient,
  id: string,
  path: string,
  body: AsyncIterable<Uint8Array>,
  options: { signal?: AbortSignal } = {},
): Promise<void> {
  await docker.upload("PUT", `/containers/${encodeURIComponent(id)}/archive`, {
    query: { path, noOverwriteDirNonDir: true },
    headers: { "Content-Type": "application/x-tar" },
    body,
    signal: options.signal,
  });
}
