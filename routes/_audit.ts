/** Records an audit row with the request's user, IP, user agent and request id filled in. */
import type { Context } from "hono";
import type { DatabaseSync } from "node:sqlite";
import { type AuditEntry, recordAudit } from "../lib/audit/audit.ts";
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
