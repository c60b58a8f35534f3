/**
 * Update detection: for each container, the registry's current digest for its image
 * reference against the local image's repo digests. Registries that fail are reported per
 * container and per registry, never fatal to the whole check.
 */
import type { DatabaseSync } from "node:sqlite";
import type { DockerClient } from "../docker/client.ts";
import { inspectContainer, listContainers } from "../docker/containers.ts";
import { inspectImage } from "../docker/images.ts";
import { credentialsFor } from "../images/credentials.ts";
import {
  familiarRepository,
  formatReference,
  type ImageReference,
  InvalidReferenceError,
  parseReference,
} from "../images/reference.ts";
import { remoteDigest } from "../images/registry.ts";
import { isWorkContainer } from "../containers/recreate.ts";
import { effectiveEnvironment } from "../containers/safety.ts";
import { hostEnvironment } from "../settings/settings.ts";
import type { SecretBox } from "../secrets/secret_box.ts";
import { environmentOf, type UpdateState } from "../shared/updates.ts";
import { type CheckRow, listChecks, policyOf, pruneChecks, saveCheck } from "./store.ts";

/** What a check needs. */
export interface CheckDeps {
  docker: DockerClient;
  db: DatabaseSync;
  secrets: SecretBox;
  /** For tests: replaces `fetch` towards registries. */
  fetch?: typeof fetch;
  registryTimeoutMs?: number;
}

/** The outcome of one check run. */
export interface CheckReport {
  states: UpdateState[];
  /** Registries that failed, with their first error. */
  failedRegistries: { registry: string; error: string }[];
  /** Containers whose update became available in this run (for notifications). */
  newlyAvailable: CheckRow[];
}

/** The repo digests (`sha256:…`) the local image holds for the reference's repository. */
export function localDigestsFor(ref: ImageReference, repoDigests: string[]): string[] {
  const repo = familiarRepository(ref);
  const full = `${ref.domain}/${ref.path}`;
  return repoDigests.flatMap((d) => {
    const at = d.lastIndexOf("@");
    const name = d.slice(0, at);
    return name === repo || name === full ? [d.slice(at + 1)] : [];
  });
}

function referenceOf(image: string): ImageReference | undefined {
  try {
    return parseReference(image);
  } catch (err) {
    if (err instanceof InvalidReferenceError) return undefined;
    throw err;
  }
}

/** Checks every container (or the named ones) and stores the results. */
export async function checkUpdates(
  deps: CheckDeps,
  options: { containers?: string[]; signal?: AbortSignal } = {},
): Promise<CheckReport> {
  const all = await listContainers(deps.docker, { signal: options.signal });
  const existing = new Set(all.map((c) => c.name));
  const wanted = all.filter((c) =>
    !isWorkContainer(c) &&
    (!options.containers || options.containers.includes(c.name) ||
      options.containers.includes(c.id))
  );
  const remote = new Map<string, Promise<string>>();
  const failed = new Map<string, string>();
  const newlyAvailable: CheckRow[] = [];
  for (const summary of wanted) {
    options.signal?.throwIfAborted();
    const inspect = await inspectContainer(deps.docker, summary.id, { signal: options.signal });
    const image = String((inspect.Config as { Image?: string }).Image ?? summary.image);
    const row: CheckRow = {
      container: summary.name,
      image,
      status: "unknown",
      localDigest: null,
      remoteDigest: null,
      error: null,
      checkedAt: Date.now(),
    };
    try {
      const ref = referenceOf(image);
      const local = await inspectImage(deps.docker, String(inspect.Image), {
        signal: options.signal,
      });
      const localDigests = ref ? localDigestsFor(ref, local?.repoDigests ?? []) : [];
      row.localDigest = localDigests[0] ?? null;
      if (!ref) {
        row.error = "the container was created from an image id, not a reference";
      } else if (ref.digest) {
        row.status = "pinned";
        row.remoteDigest = ref.digest;
      } else if (!localDigests.length) {
        row.error = "the image was built or loaded locally: it has no registry digest to compare";
      } else {
        const key = formatReference(ref);
        if (!remote.has(key)) {
          remote.set(
            key,
            credentialsFor(deps.db, deps.secrets, ref.domain).then((credentials) =>
              remoteDigest(ref, {
                credentials,
                fetch: deps.fetch,
                signal: options.signal,
                timeoutMs: deps.registryTimeoutMs,
              })
            ),
          );
        }
        try {
          row.remoteDigest = await remote.get(key)!;
        } catch (err) {
          if (!failed.has(ref.domain)) failed.set(ref.domain, (err as Error).message);
          throw err;
        }
        row.status = localDigests.includes(row.remoteDigest) ? "current" : "available";
        if (row.status === "available") row.localDigest = localDigests[0];
      }
    } catch (err) {
      if (options.signal?.aborted) throw err;
      row.status = "error";
      row.error = (err as Error).message;
    }
    const previous = saveCheck(deps.db, row);
    if (
      row.status === "available" &&
      (previous?.status !== "available" || previous.remoteDigest !== row.remoteDigest)
    ) newlyAvailable.push(row);
  }
  if (!options.containers) pruneChecks(deps.db, existing);
  return {
    states: updateStates(deps.db, all),
    failedRegistries: [...failed].map(([registry, error]) => ({ registry, error })),
    newlyAvailable,
  };
}

/** The stored check results joined with each container's policy and environment. */
export function updateStates(
  db: DatabaseSync,
  containers: { name: string; image: string; labels: Record<string, string> }[],
  host = hostEnvironment(db),
): UpdateState[] {
  const checks = new Map(listChecks(db).map((c) => [c.container, c]));
  return containers
    .filter((c) => !isWorkContainer(c))
    .map((c) => {
      const environment = environmentOf(c.labels);
      const check: CheckRow = checks.get(c.name) ?? {
        container: c.name,
        image: c.image,
        status: "unknown",
        localDigest: null,
        remoteDigest: null,
        error: "not checked yet",
        checkedAt: 0,
      };
      return {
        ...check,
        environment,
        effectiveEnvironment: effectiveEnvironment(c.labels, host),
        ...policyOf(db, c.name, environment),
      };
    })
    .sort((a, b) => a.container.localeCompare(b.container));
}
