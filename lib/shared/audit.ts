/** The audit record as the API and the UI see it. */
import { z } from "zod";

/** Outcome of an audited action. */
export const AUDIT_RESULTS = ["success", "failure", "denied"] as const;

/** One audit row. */
export const AuditRecordSchema = z.object({
  id: z.number(),
  time: z.string(),
  action: z.string(),
  target: z.string().nullable(),
  result: z.enum(AUDIT_RESULTS),
  error: z.string().nullable(),
  user: z.string().nullable(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  requestId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()).nullable(),
});
/** One audit row. */
export type AuditRecord = z.infer<typeof AuditRecordSchema>;
