/**
 * Container lifecycle: one action on one container, or on many with a result each. The
 * state is checked first so a wrong-state request gets a clear 409, and Bosun's own
 * container is never stopped, killed, paused or removed.
 */
import type { DockerClient } from "../docker/client.ts";
import {
  type ContainerInspect,
  inspectContainer,
  killContainer,
  pauseContainer,
  removeContainer,
  renameContainer,
  restartContainer,
  startContainer,
  stopContainer,
  unpauseContainer,
} from "../docker/containers.ts";
import { ConflictError } from "../errors.ts";
import { actionAllowed, type BulkResult, type ContainerAction } from "../shared/containers.ts";
import { SelfProtectionError } from "./self.ts";
import { effectiveEnvironment, requireConfirmation } from "./safety.ts";

/** Options of an action. */
export interface ActionOptions {
  timeoutSeconds?: number;
  signalName?: string;
  signal?: AbortSignal;
  /** For a PRD container: its name, confirming a destructive action. */
  confirm?: string;
}

/** What the lifecycle needs to know about the process running it. */
export interface LifecycleContext {
  docker: DockerClient;
  /** Bosun's own container id when it runs in one. */
  selfId?: string;
  /** The host's environment tag, inherited by untagged containers (default: none). */
  hostEnvironment?: () => string;
}

/** Actions that need a PRD container's name confirmed. */
export const DESTRUCTIVE: ReadonlySet<ContainerAction | "remove"> = new Set([
  "stop",
  "restart",
  "kill",
  "remove",
]);

/** Checks the PRD confirmation of a destructive action; resolves whether one was given. */
export function confirmAction(
  ctx: LifecycleContext,
  inspect: ContainerInspect,
  action: ContainerAction | "remove",
  confirm: string | undefined,
): boolean {
  if (!DESTRUCTIVE.has(action)) return false;
  const labels = (inspect.Config as { Labels?: Record<string, string> | null }).Labels;
  const environment = effectiveEnvironment(labels, ctx.hostEnvironment?.() ?? "");
  return requireConfirmation({ name: containerName(inspect), environment }, action, confirm);
}

const SELF_SAFE: ReadonlySet<ContainerAction> = new Set(["start", "unpause"]);

/** Label Bosun puts on the helper containers it creates (backups, volume access). */
export const HELPER_LABEL = "bosun.helper";

/** True for Bosun's own helper containers, which users' actions leave alone. */
export function isHelper(inspect: ContainerInspect): boolean {
  const labels = (inspect.Config as { Labels?: Record<string, string> | null }).Labels ?? {};
  return labels[HELPER_LABEL] === "true";
}

/** A container's display name ("web", not "/web"). */
export function containerName(inspect: ContainerInspect): string {
  return inspect.Name.replace(/^\//, "");
}

/** Runs `action` on one container; resolves with its inspect output before the action. */
export async function runContainerAction(
  ctx: LifecycleContext,
  ref: string,
  action: ContainerAction,
  options: ActionOptions = {},
): Promise<ContainerInspect> {
  const before = await inspectContainer(ctx.docker, ref, { signal: options.signal });
  const name = containerName(before);
  if (before.Id === ctx.selfId && !SELF_SAFE.has(action)) {
    throw new SelfProtectionError(`Bosun does not ${action} its own container "${name}"`);
  }
  if (isHelper(before)) {
    throw new SelfProtectionError(`"${name}" is a Bosun helper container; Bosun manages it`);
  }
  confirmAction(ctx, before, action, options.confirm);
  const state = before.State.Status;
  if (!actionAllowed(action, state)) {
    throw new ConflictError(`Cannot ${action} container "${name}": it is ${state}`);
  }
  const id = before.Id;
  const signal = options.signal;
  switch (action) {
    case "start":
      await startContainer(ctx.docker, id, { signal });
      break;
    case "stop":
      await stopContainer(ctx.docker, id, { timeoutSeconds: options.timeoutSeconds, signal });
      break;
    case "restart":
      await restartContainer(ctx.docker, id, { timeoutSeconds: options.timeoutSeconds, signal });
      break;
    case "kill":
      await killContainer(ctx.docker, id, { signalName: options.signalName, signal });
      break;
    case "pause":
      await pauseContainer(ctx.docker, id, { signal });
      break;
    case "unpause":
      await unpauseContainer(ctx.docker, id, { signal });
      break;
  }
  return before;
}

/** Runs `action` on each container (four at a time) and reports each outcome. */
export async function runBulkAction(
  ctx: LifecycleContext,
  refs: string[],
  action: ContainerAction,
  options: Omit<ActionOptions, "confirm"> & { confirm?: string[] } = {},
  onResult: (result: BulkResult) => void = () => {},
): Promise<BulkResult[]> {
  const results: BulkResult[] = new Array(refs.length);
  let next = 0;
  const worker = async () => {
    while (next < refs.length) {
      const i = next++;
      try {
        // Each PRD container in the selection must be confirmed by name.
        const confirmed = await inspectContainer(ctx.docker, refs[i]).then((c) => {
          const name = containerName(c);
          return options.confirm?.includes(name) ? name : undefined;
        }, () => undefined);
        const before = await runContainerAction(ctx, refs[i], action, {
          ...options,
          confirm: confirmed,
        });
        results[i] = { id: refs[i], name: containerName(before), ok: true };
      } catch (err) {
        const status = (err as { status?: number }).status;
        results[i] = { id: refs[i], ok: false, error: (err as Error).message, status };
      }
      onResult(results[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, refs.length) }, worker));
  return results;
}

/** Renames a container; resolves with its previous name. */
export async function renameOne(
  ctx: LifecycleContext,
  ref: string,
  newName: string,
  options: { signal?: AbortSignal } = {},
): Promise<string> {
  const before = await inspectContainer(ctx.docker, ref, options);
  await renameContainer(ctx.docker, before.Id, newName, options);
  return containerName(before);
}

/** Removes a container (refusing Bosun's own); resolves with its name. */
export async function removeOne(
  ctx: LifecycleContext,
  ref: string,
  options: { force?: boolean; volumes?: boolean; signal?: AbortSignal; confirm?: string } = {},
): Promise<string> {
  const before = await inspectContainer(ctx.docker, ref, { signal: options.signal });
  const name = containerName(before);
  confirmAction(ctx, before, "remove", options.confirm);
  if (before.Id === ctx.selfId) {
    throw new SelfProtectionError(`Bosun does not remove its own container "${name}"`);
  }
  if (isHelper(before)) {
    throw new SelfProtectionError(`"${name}" is a Bosun helper container; Bosun manages it`);
  }
  if (!options.force && ["running", "restarting", "paused"].includes(before.State.Status)) {
    throw new ConflictError(
      `Cannot remove container "${name}": it is ${before.State.Status}; stop it first or force`,
    );
  }
  await removeContainer(ctx.docker, before.Id, options);
  return name;
}
