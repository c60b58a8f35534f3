/** Image calls of the Engine API, one function per call. */
import { z } from "zod";
import type { DockerClient } from "./client.ts";
import { DockerNotFoundError } from "./errors.ts";

/** What Bosun reads of an image's inspect output. */
export const ImageInspectSchema = z.looseObject({
  Id: z.string(),
  RepoTags: z.array(z.string()).nullable().default([]),
  RepoDigests: z.array(z.string()).nullable().default([]),
}).transform((i) => ({ id: i.Id, repoTags: i.RepoTags ?? [], repoDigests: i.RepoDigests ?? [] }));
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

/** `POST /images/create?fromImage=`: pulls an image; resolves when the pull has finished. */
export async function pullImage(
  docker: DockerClient,
  reference: string,
  options: { signal?: AbortSignal } = {},
): Promise<void> {
  const res = await docker.stream("POST", "/images/create", {
    query: { fromImage: reference },
    signal: options.signal,
  });
  let last = "";
  const decoder = new TextDecoder();
  for await (const chunk of res) last = (last + decoder.decode(chunk as Uint8Array)).slice(-4096);
  const error = /"error(?:Detail)?"\s*:\s*(?:\{\s*"message"\s*:\s*)?"([^"]*)"/.exec(last);
  if (error) throw new Error(`Pulling "${reference}" failed: ${error[1]}`);
}
