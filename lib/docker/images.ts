/** Image calls of the Engine API, one function per call. */
import { z } from "zod";
import type { DockerClient } from "./client.ts";
import { encodeBase64 } from "../shared/base64.ts";
import { readJsonLines } from "./_json_lines.ts";
import { DockerNotFoundError } from "./errors.ts";

/** What Bosun reads of an image's inspect output. */
export const ImageInspectSchema = z.looseObject({
  Id: z.string(),
  RepoTags: z.array(z.string()).nullable().default([]),
  RepoDigests: z.array(z.string()).nullable().default([]),
  Config: z.record(z.string(), z.unknown()).nullable().optional(),
}).transform((i) => ({
  id: i.Id,
  repoTags: i.RepoTags ?? [],
  repoDigests: i.RepoDigests ?? [],
  /** The image's default container configuration (Cmd, Env, Labels, Healthcheck, …). */
  config: (i.Config ?? {}) as Record<string, unknown>,
}));
/** An image as inspected. */
export type ImageInspect = z.output<typeof ImageInspectSchema>;

/** `GET /images/{name}/json`; undefined when the engine has no such image. */
export async function inspectImage(
  docker: DockerClient,
  name: string,
  options: { signal?: AbortSignal } = {},
): Promise<ImageInspect | undefined> {
  try {
    return await docker.request(
      "GET",
      `/images/${encodeURIComponent(name)}/json`,
      ImageInspectSchema,
      options,
    );
  } catch (err) {
    if (err instanceof DockerNotFoundError) return undefined;
    throw err;
  }
}

/** `POST /images/load` of an image tarball (docker-archive format); resolves when loaded. */
export async function loadImage(
  docker: DockerClient,
  tarball: Uint8Array | AsyncIterable<Uint8Array>,
  options: { signal?: AbortSignal } = {},
): Promise<void> {
  const res = await docker.stream("POST", "/images/load", {
    query: { quiet: true },
    headers: { "Content-Type": "application/x-tar" },
    body: tarball,
    signal: options.signal,
  });
  let text = "";
  for await (const chunk of res) text += new TextDecoder().decode(chunk as Uint8Array);
  if (/"error"/.test(text)) {
    throw new Error(`The engine could not load the image: ${text.slice(0, 300)}`);
  }
}

/** `GET /images/{name}/get`: the image as a `docker save` tarball stream. */
export async function exportImage(
  docker: DockerClient,
  name: string,
  options: { signal?: AbortSignal } = {},
): Promise<AsyncIterable<Uint8Array>> {
  return await docker.stream("GET", `/images/${encodeURIComponent(name)}/get`, options);
}

/** One line of the engine's pull progress. */
export const PullProgressSchema = z.looseObject({
  status: z.string().optional(),
  id: z.string().optional(),
  progress: z.string().optional(),
  progressDetail: z.looseObject({
    current: z.number().optional(),
    total: z.number().optional(),
  }).optional(),
  error: z.string().optional(),
  errorDetail: z.looseObject({ message: z.string().optional() }).optional(),
});
/** One line of the engine's pull progress. */
export type PullProgress = z.output<typeof PullProgressSchema>;

/** Credentials for a pull, sent as the engine's `X-Registry-Auth` header. */
export interface RegistryAuth {
  username: string;
  password: string;
  serveraddress: string;
}

/** The engine's `X-Registry-Auth`: URL-safe base64 of the JSON, padded (older engines need the padding). */
export function registryAuthHeader(auth: RegistryAuth): string {
  return encodeBase64(new TextEncoder().encode(JSON.stringify(auth))).replaceAll("+", "-")
    .replaceAll("/", "_");
}

/**
 * `POST /images/create?fromImage=`: pulls an image, passing each progress line to
 * `onProgress`; resolves when the pull has finished, throws the engine's error message.
 */
export async function pullImage(
  docker: DockerClient,
  reference: string,
  options: {
    signal?: AbortSignal;
    auth?: RegistryAuth;
    onProgress?: (line: PullProgress) => void;
  } = {},
): Promise<void> {
  const res = await docker.stream("POST", "/images/create", {
    query: { fromImage: reference },
    headers: options.auth
      ? {
        "X-Registry-Auth": registryAuthHeader(options.auth),
      }
      : undefined,
    signal: options.signal,
  });
  for await (const line of readJsonLines(res, PullProgressSchema)) {
    const error = line.errorDetail?.message ?? line.error;
    if (error) throw new Error(`Pulling "${reference}" failed: ${error}`);
    options.onProgress?.(line);
  }
}

/** One image as listed. */
export const ImageSummarySchema = z.looseObject({
  Id: z.string(),
  ParentId: z.string().default(""),
  RepoTags: z.array(z.string()).nullable().default([]),
  RepoDigests: z.array(z.string()).nullable().default([]),
  Created: z.number(),
  Size: z.number(),
  Labels: z.record(z.string(), z.string()).nullable().default({}),
}).transform((i) => {
  const tags = (i.RepoTags ?? []).filter((t) => t !== "<none>:<none>");
  return {
    id: i.Id,
    repoTags: tags,
    repoDigests: (i.RepoDigests ?? []).filter((d) => !d.startsWith("<none>@")),
    created: i.Created,
    size: i.Size,
    labels: i.Labels ?? {},
    dangling: tags.length === 0,
  };
});
/** One image as listed. */
export type ImageSummary = z.output<typeof ImageSummarySchema>;

/** `GET /images/json`. */
export async function listImages(
  docker: DockerClient,
  options: { signal?: AbortSignal } = {},
): Promise<ImageSummary[]> {
  return await docker.request("GET", "/images/json", z.array(ImageSummarySchema), options);
}

/** `DELETE /images/{name}`; `force` also removes an image used by stopped containers or tagged twice. */
export async function removeImage(
  docker: DockerClient,
  name: string,
  options: { force?: boolean; signal?: AbortSignal } = {},
): Promise<void> {
  const query = options.force ? "?force=true" : "";
  await docker.requestEmpty("DELETE", `/images/${encodeURIComponent(name)}${query}`, options);
}

/** `POST /images/prune` of dangling images; resolves with what went. */
export async function pruneDanglingImages(
  docker: DockerClient,
  options: { signal?: AbortSignal } = {},
): Promise<{ deleted: string[]; spaceReclaimed: number }> {
  const filters = encodeURIComponent(JSON.stringify({ dangling: ["true"] }));
  const r = await docker.request(
    "POST",
    `/images/prune?filters=${filters}`,
    z.looseObject({
      ImagesDeleted: z.array(z.looseObject({ Deleted: z.string().optional() })).nullable()
        .default([]),
      SpaceReclaimed: z.number().default(0),
    }),
    options,
  );
  return {
    deleted: (r.ImagesDeleted ?? []).flatMap((d) => d.Deleted ? [d.Deleted] : []),
    spaceReclaimed: r.SpaceReclaimed,
  };
}

/** `POST /images/{name}/tag?repo=&tag=`. */
export async function tagImage(
  docker: DockerClient,
  name: string,
  repo: string,
  tag: string,
  options: { signal?: AbortSignal } = {},
): Promise<void> {
  const q = `repo=${encodeURIComponent(repo)}&tag=${encodeURIComponent(tag)}`;
  await docker.requestEmpty("POST", `/images/${encodeURIComponent(name)}/tag?${q}`, options);
}
