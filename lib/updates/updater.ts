/**
 * The safe update of one container: pull, recreate aside the old one (renamed
 * `<name>-bosun-old`), verify that the new one keeps running for the stabilisation window
 * and, when it has a healthcheck, becomes healthy; then remove the old one. Anything else
 * puts the old container back under its name, started as it was: automatic rollback.
 * Redeploy is the same without a digest check; a manual rollback re-tags the previous image.
 */
import type { DatabaseSync } from "node:sqlite";
import { getPreferences } from "../backup/preferences.ts";
import type { BackupQueue } from "../backup/queue.ts";
import type { DockerClient } from "../docker/client.ts";
import {
  type ContainerInspect,
  findContainer,
  inspectContainer,
  removeContainer,
  renameContainer,
  startContainer,
  stopContainer,
} from "../docker/containers.ts";
import { DockerNotFoundError, DockerUnavailableError } from "../docker/errors.ts";
import { listEvents } from "../docker/events.ts";
import { inspectImage, listImages, pullImage, removeImage, tagImage } from "../docker/images.ts";
import type { ContainerLocks } from "../containers/locks.ts";
import { containerName, isHelper } from "../containers/lifecycle.ts";
import { OLD_SUFFIX, rebaseOnImage, recreateContainer } from "../containers/recreate.ts";
import { SelfProtectionError } from "../containers/self.ts";
import { effectiveEnvironment, requireConfirmation } from "../containers/safety.ts";
import { ConflictError, ValidationError } from "../errors.ts";
import { pullAuthFor } from "../images/credentials.ts";
import { familiarRepository, type ImageReference, parseReference } from "../images/reference.ts";
import type { SecretBox } from "../secrets/secret_box.ts";
import { environmentOf, type UpdateRecord } from "../shared/updates.ts";
import { localDigestsFor } from "./checker.ts";
import {
  addStep,
  getHistory,
  listHistory,
  policyOf,
  queueHistory,
  startHistory,
  updateHistory,
} from "./store.ts";

/** What an update needs. */
export interface UpdaterDeps {
  docker: DockerClient;
  db: DatabaseSync;
  secrets: SecretBox;
  locks: ContainerLocks;
  backups?: BackupQueue;
  selfId?: string;
  /** How long the new container must keep running. */
  stabilizeMs: () => number;
  /** How long a container with a healthcheck may take to become healthy after the window. */
  healthTimeoutMs: number;
  /** The host's environment tag, inherited by untagged containers (for PRD confirmation). */
  hostEnvironment?: () => string;
}

/** Options of one update. */
export interface UpdateOptions {
  kind: UpdateRecord["kind"];
  /** Back up the container first (default: only for PRD-tagged containers). */
  backup?: boolean;
  /** Remove the previous image once the update is verified (when nothing else uses it). */
  removeOldImage?: boolean;
  /** For kind "rollback": the history row whose previous image is restored. */
  rollbackOf?: number;
  /** The queued history row this update fills in (else a new one is opened). */
  historyId?: number;
  /** For a PRD container: its name, confirming the update (automatic updates need none). */
  confirm?: string;
  user?: string;
  /** Told every step, as it happens. */
  onStep?: (historyId: number, step: string, detail?: string) => void;
  signal?: AbortSignal;
}

/** The outcome of one update. */
export interface UpdateOutcome {
  historyId: number;
  container: string;
  status: UpdateRecord["status"];
  error?: string;
  /** A failure that must stop "update all": the rollback failed, the engine is gone, the disk is full. */
  critical: boolean;
}

/** Verification failed: the new container did not stay running or become healthy. */
export class VerificationError extends Error {}

/** True for failures after which "update all" must stop. */
export function isCriticalFailure(err: unknown): boolean {
  if (err instanceof DockerUnavailableError) return true;
  const text = String((err as Error)?.message ?? err);
  return /no space left on device|ENOSPC|disk quota/i.test(text);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => (clearTimeout(t), reject(signal.reason)), {
      once: true,
    });
  });
}

/**
 * Waits out the stabilisation window: the container must stay running (not restarting, not
 * exited) throughout; a container with a healthcheck must then become healthy.
 */
export async function verifyRunning(
  docker: DockerClient,
  id: string,
  options: {
    windowMs: number;
    healthTimeoutMs: number;
    signal?: AbortSignal;
    onStep?: (s: string) => void;
  },
): Promise<void> {
  const startedAt = Date.now();
  let restarts: number | undefined;
  const look = async () => {
    const c = await inspectContainer(docker, id, { signal: options.signal }) as ContainerInspect & {
      RestartCount?: number;
      State: { Status: string; ExitCode?: number; Error?: string; Health?: { Status: string } };
    };
    const state = c.State;
    if (state.Status === "restarting" || (state.Status === "running" && state.Restarting)) {
      throw new VerificationError(
        `the new container keeps restarting (last exit code ${state.ExitCode ?? "?"})`,
      );
    }
    if (state.Status !== "running") {
      throw new VerificationError(
        `the new container is ${state.Status}` +
          (state.Status === "exited" ? ` (exit code ${state.ExitCode ?? "?"})` : "") +
          (state.Error ? `: ${state.Error}` : ""),
      );
    }
    restarts ??= c.RestartCount ?? 0;
    if ((c.RestartCount ?? 0) > restarts) {
      // Running again, its state no longer holds the exit code: its last `die` event does.
      const dies = await listEvents(docker, {
        since: Math.floor(startedAt / 1000) - 60,
        filters: { container: [id], event: ["die"] },
        signal: options.signal,
      }).catch(() => []);
      const code = dies.at(-1)?.attributes.exitCode ?? "?";
      throw new VerificationError(`the new container restarted (last exit code ${code})`);
    }
    if (state.Health?.Status === "unhealthy") {
      throw new VerificationError("the new container's healthcheck reports unhealthy");
    }
    return state.Health?.Status;
  };
  let health: string | undefined;
  while (Date.now() - startedAt < options.windowMs) {
    health = await look();
    await sleep(
      Math.min(250, Math.max(1, options.windowMs - (Date.now() - startedAt))),
      options.signal,
    );
  }
  health = await look();
  if (health === undefined || health === "healthy") return;
  options.onStep?.("waiting for the healthcheck");
  const deadline = Date.now() + options.healthTimeoutMs;
  while (health !== "healthy") {
    if (Date.now() > deadline) {
      throw new VerificationError(
        `the new container did not become healthy within ${
          Math.round(options.healthTimeoutMs / 1000)
        } s`,
      );
    }
    await sleep(250, options.signal);
    health = await look();
  }
}

/** What an update starts from, once validated. */
export interface ValidatedUpdate {
  before: ContainerInspect;
  name: string;
  image: string;
  reference: ImageReference;
  environment: string;
  rollbackImage?: string;
}

/**
 * Checks that the container may be updated this way (not Bosun itself, not a helper, not
 * pinned, not digest-pinned; a rollback's previous image still present); throws a 4xx error.
 */
export async function validateUpdate(
  deps: UpdaterDeps,
  ref: string,
  options: Pick<UpdateOptions, "kind" | "rollbackOf" | "signal" | "confirm">,
): Promise<ValidatedUpdate> {
  const { docker, db } = deps;
  const signal = options.signal;
  const before = await inspectContainer(docker, ref, { signal });
  const name = containerName(before);
  if (before.Id === deps.selfId) {
    throw new SelfProtectionError(
      "Bosun never updates itself this way: pull its new image and recreate its container by hand",
    );
  }
  if (isHelper(before) || name.endsWith(OLD_SUFFIX)) {
    throw new ValidationError(`"${name}" is not a container Bosun updates`);
  }
  const leftover = await findContainer(docker, `${name}${OLD_SUFFIX}`, { signal });
  if (leftover) {
    throw new ConflictError(
      `A leftover container "${name}${OLD_SUFFIX}" exists (from an interrupted update or recreate): remove it, or rename it back, first`,
    );
  }
  const image = String(before.Config.Image);
  let reference: ImageReference;
  try {
    reference = parseReference(image);
  } catch {
    throw new ValidationError(
      `"${name}" runs an image id, not a reference: there is nothing to pull`,
    );
  }
  const labels = (before.Config as { Labels?: Record<string, string> | null }).Labels ?? {};
  const environment = environmentOf(labels);
  if (options.kind !== "auto") {
    requireConfirmation(
      { name, environment: effectiveEnvironment(labels, deps.hostEnvironment?.() ?? "") },
      options.kind,
      options.confirm,
    );
  }
  if (options.kind === "update" || options.kind === "auto") {
    if (reference.digest) {
      throw new ValidationError(`"${name}" is pinned to a digest (${image}): it is never updated`);
    }
    if (policyOf(db, name, environment).pinned) {
      throw new ConflictError(`"${name}" is pinned: unpin it to update`);
    }
  }
  let rollbackImage: string | undefined;
  if (options.kind === "rollback") {
    const previous = options.rollbackOf ? getHistory(db, options.rollbackOf) : undefined;
    if (!previous || previous.container !== name || !previous.oldImageId) {
      throw new ValidationError("That update has no previous image to roll back to");
    }
    if (!await inspectImage(docker, previous.oldImageId, { signal })) {
      throw new ConflictError(
        "The previous image is no longer on this host: it cannot be rolled back to",
      );
    }
    rollbackImage = previous.oldImageId;
  }

  return { before, name, image, reference, environment, rollbackImage };
}

/** Runs one update (or redeploy, or manual rollback) of a container, with automatic rollback. */
export async function updateContainer(
  deps: UpdaterDeps,
  ref: string,
  options: UpdateOptions,
): Promise<UpdateOutcome> {
  const { docker, db } = deps;
  const signal = options.signal;
  const validated = await validateUpdate(deps, ref, options);
  const { name, image, reference, environment, rollbackImage } = validated;
  let before = validated.before;
  const historyId = options.historyId ??
    queueHistory(db, { container: name, kind: options.kind, image, user: options.user });
  const step = (s: string, detail?: string) => {
    addStep(db, historyId, s, detail);
    options.onStep?.(historyId, s, detail);
  };
  const finish = (
    status: UpdateRecord["status"],
    error?: string,
    critical = false,
  ): UpdateOutcome => {
    updateHistory(db, historyId, { status, error, finished: true });
    step(status === "applied" ? "done" : status, error);
    return { historyId, container: name, status, error, critical };
  };

  // The backup comes first, outside the container's lock: the backup job takes that lock.
  if (options.backup ?? environment === "PRD") {
    try {
      if (!deps.backups) throw new Error("backups are not available here");
      step("backing up before the update");
      const job = deps.backups.enqueue(name, {
        compression: "gzip",
        consistency: "stop",
        ...getPreferences(db, name),
        type: "manual",
      }, options.user);
      const done = await deps.backups.waitFor(job.id, signal);
      if (done.status !== "complete") throw new Error(done.error ?? done.status);
      step("backup complete", done.file ?? undefined);
    } catch (err) {
      return finish(
        "failed",
        `the backup before the update did not complete: ${(err as Error).message}`,
        isCriticalFailure(err),
      );
    }
  }

  const release = await deps.locks.acquire(name, "update", { signal });
  try {
    before = await inspectContainer(docker, before.Id, { signal });
  } catch (err) {
    release();
    return finish("failed", (err as Error).message, isCriticalFailure(err));
  }
  const oldImage = await inspectImage(docker, String((before as { Image?: string }).Image), {
    signal,
  }).catch(() => undefined);
  const wasRunning = ["running", "restarting"].includes(before.State.Status);
  startHistory(db, historyId, {
    image,
    oldImageId: oldImage?.id ?? String((before as { Image?: string }).Image),
    oldDigest: localDigestsFor(reference, oldImage?.repoDigests ?? [])[0] ?? null,
    wasRunning,
  });

  try {
    step(
      "saved the configuration",
      `image ${image}, ${wasRunning ? "running" : before.State.Status}`,
    );
    if (rollbackImage) {
      step("restoring the previous image", rollbackImage.slice(0, 19));
      const repo = reference.domain === "docker.io"
        ? familiarRepository(reference)
        : `${reference.domain}/${reference.path}`;
      await tagImage(docker, rollbackImage, repo, reference.tag ?? "latest", { signal });
    } else {
      step("pulling", image);
      let lastStatus = "";
      await pullImage(docker, image, {
        signal,
        auth: await pullAuthFor(db, deps.secrets, reference),
        onProgress: (p) => {
          if (p.status && p.status !== lastStatus && !p.progressDetail?.total) {
            lastStatus = p.status;
            options.onStep?.(historyId, "pull", `${p.id ? `${p.id}: ` : ""}${p.status}`);
          }
        },
      });
    }
    const newImage = await inspectImage(docker, image, { signal });
    if (!newImage) throw new Error(`the engine has no ${image} after the pull`);
    updateHistory(db, historyId, {
      newImageId: newImage.id,
      newDigest: localDigestsFor(reference, newImage.repoDigests)[0] ?? null,
    });
    if (options.kind !== "redeploy" && oldImage && newImage.id === oldImage.id) {
      return finish("current", "the image has not changed: nothing to update");
    }

    step("recreating", `old container renamed ${name}${OLD_SUFFIX}`);
    const changes = rebaseOnImage(before.Config as Record<string, unknown>, oldImage?.config ?? {});
    const recreated = await recreateContainer(docker, before.Id, {
      keepOld: true,
      stopTimeoutSeconds: 10,
      changes: { config: changes },
      signal,
    });
    try {
      if (wasRunning) {
        const windowMs = deps.stabilizeMs();
        step("verifying", `must keep running for ${Math.round(windowMs / 1000)} s`);
        await verifyRunning(docker, recreated.id, {
          windowMs,
          healthTimeoutMs: deps.healthTimeoutMs,
          signal,
          onStep: (s) => step(s),
        });
      } else {
        step("not started", "the container was not running before the update, so it stays stopped");
      }
    } catch (err) {
      step("rolling back", (err as Error).message);
      try {
        await rollBack(docker, name, recreated.id, before.Id, wasRunning);
      } catch (rollbackErr) {
        return finish(
          "rollback-failed",
          `${(err as Error).message}; the rollback failed too: ${(rollbackErr as Error).message}`,
          true,
        );
      }
      return finish("rolled-back", (err as Error).message, isCriticalFailure(err));
    }
    updateHistory(db, historyId, { status: "verified" });
    step("verified");
    await removeContainer(docker, before.Id, { force: true, volumes: false });
    if (options.removeOldImage && oldImage && oldImage.id !== newImage.id) {
      await removeImage(docker, oldImage.id).then(
        () => step("removed the old image", oldImage.id.slice(0, 19)),
        (err) => step("kept the old image", (err as Error).message),
      );
    }
    return finish("applied");
  } catch (err) {
    return finish("failed", (err as Error).message, isCriticalFailure(err));
  } finally {
    release();
  }
}

/** Puts the old container back: the new one removed, the old one renamed back and started. */
export async function rollBack(
  docker: DockerClient,
  name: string,
  newId: string | undefined,
  oldId: string,
  wasRunning: boolean,
): Promise<void> {
  if (newId) {
    await stopContainer(docker, newId, { timeoutSeconds: 5 }).catch(() => {});
    try {
      await removeContainer(docker, newId, { force: true, volumes: false });
    } catch (err) {
      if (!(err instanceof DockerNotFoundError)) throw err;
    }
  }
  await renameContainer(docker, oldId, name);
  if (wasRunning) await startContainer(docker, oldId);
}

/** Update history for the API and the page: each row says whether it can still be rolled back. */
export async function historyViews(
  docker: DockerClient,
  db: DatabaseSync,
  options: { container?: string; limit?: number } = {},
): Promise<UpdateRecord[]> {
  const present = new Set((await listImages(docker)).map((i) => i.id));
  return listHistory(db, options).map(({ wasRunning: _w, ...r }) => ({
    ...r,
    canRollBack: ["applied", "verified"].includes(r.status) && r.kind !== "rollback" &&
      Boolean(r.oldImageId && r.oldImageId !== r.newImageId && present.has(r.oldImageId)),
  }));
}
