/** Schedule schemas shared by the server and the Schedules page. */
import { z } from "zod";

/** How many of each period to keep (restic `forget`); none means keep everything. */
export const RetentionPolicySchema = z.object({
  keepLast: z.number().int().min(1).max(10_000).optional(),
  keepDaily: z.number().int().min(1).max(10_000).optional(),
  keepWeekly: z.number().int().min(1).max(10_000).optional(),
  keepMonthly: z.number().int().min(1).max(10_000).optional(),
  keepYearly: z.number().int().min(1).max(1000).optional(),
}).strict();

/** Which containers a schedule backs up. */
export const SelectionSchema = z.discriminatedUnion("mode", [
  z.object({ mode: z.literal("all") }).strict(),
  z.object({
    mode: z.literal("containers"),
    containers: z.array(z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/)).min(1).max(500),
  }).strict(),
  z.object({
    mode: z.literal("label"),
    label: z.string().min(1).max(255).regex(/^[^=\s]+(=[^\s]*)?$/, "key or key=value"),
  }).strict(),
  z.object({
    mode: z.literal("project"),
    project: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,127}$/),
  }).strict(),
]);

/** A schedule as the user defines it. */
export const ScheduleSpecSchema = z.object({
  name: z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/),
  cron: z.string().trim().min(1).max(120),
  timezone: z.string().min(1).max(64).default("UTC"),
  selection: SelectionSchema,
  consistency: z.enum(["live", "pause", "stop"]).default("live"),
  compression: z.enum(["gzip", "zstd"]).default("gzip"),
  retention: RetentionPolicySchema.default({}),
  /** Per-container policies that replace the schedule's for those containers. */
  containerRetention: z.record(z.string().max(128), RetentionPolicySchema).default({}),
  /** Also back up Bosun's own configuration on each run (to the vault and the targets). */
  includeConfig: z.boolean().default(false),
  /** Storage targets (ids) every backup of a run is copied to. */
  targets: z.array(z.number().int().min(1)).max(10).default([]),
  enabled: z.boolean().default(true),
}).strict();
/** A schedule as the user defines it. */
export type ScheduleSpec = z.infer<typeof ScheduleSpecSchema>;
/** A retention policy. */
export type RetentionPolicySpec = z.infer<typeof RetentionPolicySchema>;
