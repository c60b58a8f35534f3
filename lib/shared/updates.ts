/** Update schemas and orderings shared by the server and the Updates page. */
import { z } from "zod";

/** The label carrying a container's environment tag. */
export const ENVIRONMENT_LABEL = "bosun.environment";

/** Per-container automatic update policies. */
export const UPDATE_POLICIES = ["off", "notify", "auto"] as const;
/** One policy. */
export type UpdatePolicy = (typeof UPDATE_POLICIES)[number];

/** The order "update all" takes environments in; untagged sits between UAT and PRD. */
export const ENVIRONMENT_ORDER = ["SANDBOX", "DEV", "UAT", "", "PRD"] as const;

/** A container's environment tag from its labels ("" when untagged). */
export function environmentOf(labels: Record<string, string>): string {
  const tag = (labels[ENVIRONMENT_LABEL] ?? "").trim().toUpperCase();
  return ["PRD", "UAT", "DEV", "SANDBOX"].includes(tag) ? tag : "";
}

/** The policy a container gets when none is set: PRD off, UAT and untagged notify, DEV and SANDBOX auto. */
export function defaultPolicy(environment: string): UpdatePolicy {
  if (environment === "PRD") return "off";
  if (environment === "DEV" || environment === "SANDBOX") return "auto";
  return "notify";
}

/** Status of one container's last check. */
export const CHECK_STATUSES = ["current", "available", "pinned", "unknown", "error"] as const;

/** One container's update state as the API shows it. */
export const UpdateStateSchema = z.object({
  container: z.string(),
  image: z.string(),
  environment: z.string(),
  /** The tag safety follows: the label, or the host's environment. */
  effectiveEnvironment: z.string().default(""),
  status: z.enum(CHECK_STATUSES),
  localDigest: z.string().nullable(),
  remoteDigest: z.string().nullable(),
  error: z.string().nullable(),
  checkedAt: z.number(),
  policy: z.enum(UPDATE_POLICIES),
  policySet: z.boolean(),
  pinned: z.boolean(),
});
/** One container's update state. */
export type UpdateState = z.infer<typeof UpdateStateSchema>;

/** Outcomes of an update. */
export const UPDATE_RESULTS = [
  "queued",
  "running",
  "verified",
  "applied",
  "current",
  "rolled-back",
  "failed",
  "rollback-failed",
] as const;

/** One row of update history. */
export const UpdateRecordSchema = z.object({
  id: z.number(),
  container: z.string(),
  kind: z.enum(["update", "redeploy", "rollback", "auto"]),
  image: z.string(),
  oldImageId: z.string().nullable(),
  oldDigest: z.string().nullable(),
  newImageId: z.string().nullable(),
  newDigest: z.string().nullable(),
  status: z.enum(UPDATE_RESULTS),
  startedAt: z.number(),
  finishedAt: z.number().nullable(),
  error: z.string().nullable(),
  steps: z.array(z.object({ at: z.number(), step: z.string(), detail: z.string().optional() })),
  user: z.string().nullable(),
  /** True when the old image is still present, so a manual rollback can use it. */
  canRollBack: z.boolean().optional(),
});
/** One row of update history. */
export type UpdateRecord = z.infer<typeof UpdateRecordSchema>;

/** The summary of an "update all". */
export interface UpdateAllSummary {
  updated: string[];
  skipped: { container: string; reason: string }[];
  rolledBack: string[];
  failed: { container: string; error: string }[];
  /** Set when a critical failure stopped the run. */
  stoppedBy?: string;
}
