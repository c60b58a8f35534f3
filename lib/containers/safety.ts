/**
 * Safety by environment tag (DockerMate's): a container's tag is its `bosun.environment`
 * label, or the host's environment when it has none. A destructive action on a PRD container
 * needs `confirm` equal to the container's name (the UI makes the user type it); UAT asks a
 * simple confirmation in the UI; DEV and SANDBOX none. Refusals and confirmations are audited
 * by the routes.
 */
import { ConfirmationRequiredError } from "../errors.ts";
import { ENVIRONMENT_LABEL } from "../shared/updates.ts";

/** The tags a container can carry. */
export const CONTAINER_ENVIRONMENTS = ["PRD", "UAT", "DEV", "SANDBOX"] as const;

/** The label holding a container's free-text description. */
export const DESCRIPTION_LABEL = "bosun.description";

/**
 * A container's effective tag: its label, else the host's environment (none for MIXED).
 */
export function effectiveEnvironment(
  labels: Record<string, string> | null | undefined,
  hostEnvironment: string,
): string {
  const tag = (labels?.[ENVIRONMENT_LABEL] ?? "").trim().toUpperCase();
  if ((CONTAINER_ENVIRONMENTS as readonly string[]).includes(tag)) return tag;
  return (CONTAINER_ENVIRONMENTS as readonly string[]).includes(hostEnvironment)
    ? hostEnvironment
    : "";
}

/**
 * Throws ConfirmationRequiredError (428) when `environment` is PRD and `confirm` is not the
 * container's name; resolves with whether a confirmation was needed (for the audit row).
 */
export function requireConfirmation(
  target: { name: string; environment: string },
  action: string,
  confirm: string | undefined,
): boolean {
  if (target.environment !== "PRD") return false;
  if (confirm === target.name) return true;
  throw new ConfirmationRequiredError(
    `"${target.name}" is tagged PRD: to ${action} it, send confirm equal to its name`,
    target.name,
  );
}
