/** Records an audit row with the request's user, IP, user agent and request id filled in. */
import type { Context } from "hono";
import type { DatabaseSync } from "node:sqlite";
import { type AuditEntry, recordAudit } from "../lib/audit/audit.ts";
import { ConfirmationRequiredError } from "../lib/errors.ts";
import { type AppEnv, principalName } from "./_env.ts";

/** `recordAudit` for a request; a failure to write is logged, never thrown. */
export function auditRequest(
  c: Context<AppEnv>,
  db: DatabaseSync,
  entry: Omit<AuditEntry, "ip" | "userAgent" | "requestId" | "user"> & { user?: string },
): void {
  try {
    recordAudit(db, {
      user: principalName(c.var.principal),
      ...entry,
      ip: c.var.ip,
      userAgent: c.req.header("User-Agent"),
      requestId: c.var.requestId,
    });
  } catch (err) {
    c.var.log.error("audit write failed", { error: err, action: entry.action });
  }
}

/**
 * Runs `fn` and records its outcome: success (with `details`, or details derived from the
 * result), or failure with the error's message, which is then rethrown.
 */
export async function audited<T>(
  c: Context<AppEnv>,
  db: DatabaseSync,
  entry: { action: string; target: string },
  fn: () => Promise<T>,
  details?: Record<string, unknown> | ((result: T) => Record<string, unknown>),
): Promise<T> {
  try {
    const result = await fn();
    const extra = typeof details === "function" ? details(result) : details;
    auditRequest(c, db, { ...entry, result: "success", details: extra });
    return result;
  } catch (err) {
    const extra = typeof details === "function" ? undefined : details;
    auditRequest(c, db, {
      ...entry,
      result: err instanceof ConfirmationRequiredError ? "denied" : "failure",
      error: (err as Error).message,
      details: extra,
    });
    throw err;
  }
}
