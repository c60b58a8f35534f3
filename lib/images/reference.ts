/**
 * Image references normalised the way the Docker CLI does: `nginx` is
 * `docker.io/library/nginx:latest`, `ghcr.io/o/app` is `ghcr.io/o/app:latest`, a
 * `@sha256:…` digest pins the reference.
 */

/** A parsed image reference. */
export interface ImageReference {
  /** Registry host as written (`docker.io` for Docker Hub), with any port. */
  domain: string;
  /** Repository path inside the registry (`library/nginx`). */
  path: string;
  /** The tag (`latest` when none is written and no digest pins it). */
  tag?: string;
  /** `sha256:…` when the reference is pinned by digest. */
  digest?: string;
}

const DOCKER_HUB = "docker.io";
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[0-9a-fA-F]{32,}$/;
const DOMAIN =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::\d{1,5})?$/;

/** Thrown for a reference that is not one. */
export class InvalidReferenceError extends Error {}

/** Parses `reference` like the Docker CLI; throws InvalidReferenceError. */
export function parseReference(reference: string): ImageReference {
  if (!reference || reference.length > 512 || /\s/.test(reference)) {
    throw new InvalidReferenceError(`"${reference}" is not an image reference`);
  }
  let rest = reference;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw new InvalidReferenceError(`"${digest}" is not a digest`);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw new InvalidReferenceError(`"${tag}" is not a tag`);
  }
  let domain = DOCKER_HUB;
  const slash = rest.indexOf("/");
  const first = slash >= 0 ? rest.slice(0, slash) : "";
  if (slash >= 0 && (/[.:]/.test(first) || first === "localhost" || first.startsWith("["))) {
    domain = first;
    rest = rest.slice(slash + 1);
    if (!DOMAIN.test(domain)) throw new InvalidReferenceError(`"${domain}" is not a registry`);
  }
  if (domain === "index.docker.io") domain = DOCKER_HUB;
  if (domain === DOCKER_HUB && !rest.includes("/")) rest = `library/${rest}`;
  if (!rest.split("/").every((c) => COMPONENT.test(c))) {
    throw new InvalidReferenceError(`"${reference}" has an invalid repository name`);
  }
  return { domain, path: rest, tag: tag ?? (digest ? undefined : "latest"), digest };
}

/** The repository as the engine writes it in `RepoDigests` (`nginx`, `localhost:5000/app`). */
export function familiarRepository(ref: ImageReference): string {
  if (ref.domain !== DOCKER_HUB) return `${ref.domain}/${ref.path}`;
  return ref.path.startsWith("library/") ? ref.path.slice("library/".length) : ref.path;
}

/** The fully qualified reference (`docker.io/library/nginx:latest`). */
export function formatReference(ref: ImageReference): string {
  return `${ref.domain}/${ref.path}${ref.tag ? `:${ref.tag}` : ""}${
    ref.digest ? `@${ref.digest}` : ""
  }`;
}

/** The host name of the registry's API (`registry-1.docker.io` for Docker Hub). */
export function registryHost(ref: ImageReference): string {
  return ref.domain === DOCKER_HUB ? "registry-1.docker.io" : ref.domain;
}

/** True for registries on the loopback interface, which the engine talks to over plain HTTP. */
export function isLoopbackRegistry(domain: string): boolean {
  const host = domain.replace(/:\d+$/, "");
  return host === "localhost" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
}
