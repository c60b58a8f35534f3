/**
 * Asks a registry for the current manifest digest of a tag with the OCI distribution API:
 * `HEAD /v2/<name>/manifests/<tag>` accepting Docker and OCI manifests and indexes, answering
 * a `401` challenge with the anonymous (or credentialed) bearer-token flow or basic auth.
 */
import { encodeBase64, encodeHex } from "../shared/base64.ts";
import { type ImageReference, isLoopbackRegistry, registryHost } from "./reference.ts";

/** Media types asked for, so a multi-arch tag answers with its index digest, as the engine records it. */
export const MANIFEST_ACCEPT = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

/** Credentials for one registry. */
export interface RegistryCredentials {
  username: string;
  password: string;
}

/** A registry answered with an error, or could not be reached. */
export class RegistryError extends Error {
  constructor(message: string, readonly status?: number) {
    super(message);
  }
}

/** The registry refused the credentials (or asked for some and there were none). */
export class RegistryAuthError extends RegistryError {}

/** One `WWW-Authenticate` challenge. */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses a `WWW-Authenticate` header (`Bearer realm="…",service="…",scope="…"`). */
export function parseChallenge(header: string): Challenge | undefined {
  const m = /^\s*([A-Za-z][\w-]*)\s*(.*)$/s.exec(header);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  const re = /([A-Za-z][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?\s*/gy;
  re.lastIndex = 0;
  const rest = m[2];
  let p;
  while (re.lastIndex < rest.length && (p = re.exec(rest))) {
    params[p[1].toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, "$1") : p[3];
  }
  return { scheme: m[1].toLowerCase(), params };
}

/** Options of a digest request. */
export interface DigestOptions {
  credentials?: RegistryCredentials;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** For tests: replaces `fetch`. */
  fetch?: typeof fetch;
}

/** The base URL of the registry's API (plain HTTP only for loopback registries). */
export function registryBaseUrl(ref: ImageReference): string {
  const scheme = isLoopbackRegistry(ref.domain) ? "http" : "https";
  return `${scheme}://${registryHost(ref)}`;
}

/** The registry's current digest for the reference's tag (`sha256:…`). */
export async function remoteDigest(
  ref: ImageReference,
  options: DigestOptions = {},
): Promise<string> {
  if (!ref.tag) throw new RegistryError("a digest-pinned reference has no tag to check");
  const doFetch = options.fetch ?? fetch;
  const signal = AbortSignal.any([
    AbortSignal.timeout(options.timeoutMs ?? 20_000),
    ...(options.signal ? [options.signal] : []),
  ]);
  const url = `${registryBaseUrl(ref)}/v2/${ref.path}/manifests/${encodeURIComponent(ref.tag)}`;
  const call = async (method: string, authorization?: string) => {
    try {
      return await doFetch(url, {
        method,
        headers: {
          Accept: MANIFEST_ACCEPT,
          ...(authorization ? { Authorization: authorization } : {}),
        },
        signal,
        redirect: "follow",
      });
    } catch (err) {
      if (options.signal?.aborted) throw err;
      throw new RegistryError(`${ref.domain} could not be reached: ${(err as Error).message}`);
    }
  };

  let res = await call("HEAD");
  let authorization: string | undefined;
  if (res.status === 401) {
    await res.body?.cancel();
    authorization = await authorize(ref, res.headers.get("WWW-Authenticate") ?? "", {
      ...options,
      fetch: doFetch,
      signal,
    });
    res = await call("HEAD", authorization);
  }
  if (res.status === 401 || res.status === 403) {
    await res.body?.cancel();
    throw new RegistryAuthError(
      `${ref.domain} refused access to ${ref.path} (HTTP ${res.status})` +
        (options.credentials ? ": check the stored credentials" : ": it needs credentials"),
      res.status,
    );
  }
  if (res.status === 404) {
    await res.body?.cancel();
    throw new RegistryError(`${ref.domain} has no ${ref.path}:${ref.tag}`, 404);
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new RegistryError(`${ref.domain} answered HTTP ${res.status}`, res.status);
  }
  await res.body?.cancel();
  const digest = res.headers.get("Docker-Content-Digest");
  if (digest && /^sha256:[0-9a-f]{64}$/.test(digest)) return digest;
  // Some registries leave the header off HEAD: fetch the manifest and hash it.
  const got = await call("GET", authorization);
  if (!got.ok) {
    await got.body?.cancel();
    throw new RegistryError(`${ref.domain} answered HTTP ${got.status}`, got.status);
  }
  const header = got.headers.get("Docker-Content-Digest");
  const body = new Uint8Array(await got.arrayBuffer());
  if (header && /^sha256:[0-9a-f]{64}$/.test(header)) return header;
  return `sha256:${encodeHex(new Uint8Array(await crypto.subtle.digest("SHA-256", body)))}`;
}

/** Answers a challenge: a bearer token from the realm, or basic credentials. */
async function authorize(
  ref: ImageReference,
  header: string,
  options: DigestOptions & { fetch: typeof fetch; signal: AbortSignal },
): Promise<string> {
  const challenge = parseChallenge(header);
  const basic = options.credentials
    ? `Basic ${
      encodeBase64(
        new TextEncoder().encode(`${options.credentials.username}:${options.credentials.password}`),
      )
    }`
    : undefined;
  if (challenge?.scheme === "basic") {
    if (!basic) throw new RegistryAuthError(`${ref.domain} needs credentials`, 401);
    return basic;
  }
  if (challenge?.scheme !== "bearer" || !challenge.params.realm) {
    throw new RegistryAuthError(
      `${ref.domain} sent an authentication challenge Bosun cannot answer`,
      401,
    );
  }
  let realm: URL;
  try {
    realm = new URL(challenge.params.realm);
  } catch {
    throw new RegistryAuthError(`${ref.domain} named an invalid token realm`, 401);
  }
  if (
    realm.protocol !== "https:" && !(realm.protocol === "http:" && isLoopbackRegistry(realm.host))
  ) {
    throw new RegistryAuthError(`${ref.domain} named a token realm that is not HTTPS`, 401);
  }
  if (challenge.params.service) realm.searchParams.set("service", challenge.params.service);
  realm.searchParams.set("scope", `repository:${ref.path}:pull`);
  let res: Response;
  try {
    res = await options.fetch(realm, {
      headers: basic ? { Authorization: basic } : {},
      signal: options.signal,
    });
  } catch (err) {
    throw new RegistryError(
      `the token service ${realm.host} could not be reached: ${(err as Error).message}`,
    );
  }
  if (res.status === 401 || res.status === 403) {
    await res.body?.cancel();
    throw new RegistryAuthError(
      `the token service of ${ref.domain} refused the credentials`,
      res.status,
    );
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new RegistryError(
      `the token service of ${ref.domain} answered HTTP ${res.status}`,
      res.status,
    );
  }
  const body = await res.json().catch(() => ({})) as { token?: string; access_token?: string };
  const token = body.token ?? body.access_token;
  if (!token) throw new RegistryError(`the token service of ${ref.domain} sent no token`);
  return `Bearer ${token}`;
}
