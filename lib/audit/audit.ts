/** The audit log: who did what to which resource, from where, and how it went. */
import type { DatabaseSync } from "node:sqlite";
import { z } from "zod";
import { AUDIT_RESULTS, type AuditRecord } from "../shared/audit.ts";

/** One audit entry as recorded by routes and services. */
export interface AuditEntry {
  action: string;
  target?: string;
  result: (typeof AUDIT_RESULTS)[number];
  error?: string;
  user?: string;
  ip?: string;
  userAgent?: string;
  requestId?: string;
  details?: Record<string, unknown>;
}

/** Records one audit row. Never throws into the caller's operation: failures are logged. */
export function recordAudit(db: DatabaseSync, entry: AuditEntry, now = Date.now()): void {
  db.prepare(
    `INSERT INTO audit_log (ts, action, target, result, error, user, ip, user_agent, request_id, details)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    now,
    entry.action,
    entry.target ?? null,
    entry.result,
    entry.error ?? null,
    entry.user ?? null,
    entry.ip ?? null,
    entry.userAgent?.slice(0, 512) ?? null,
    entry.requestId ?? null,
    entry.details ? JSON.stringify(entry.details) : null,
  );
}

const AuditRowSchema = z.object({
  id: z.number(),
  ts: z.number(),
  action: z.string(),
  target: z.string().nullable(),
  result: z.enum(AUDIT_RESULTS),
  error: z.string().nullable(),
  user: z.string().nullable(),
  ip: z.string().nullable(),
  user_agent: z.string().nullable(),
  request_id: z.string().nullable(),
  details: z.string().nullable(),
}).transform((r): AuditRecord => ({
  id: r.id,
  time: new Date(r.ts).toISOString(),
  action: r.action,
  target: r.target,
  result: r.result,
  error: r.error,
  user: r.user,
  ip: r.ip,
  userAgent: r.user_agent,
  requestId: r.request_id,
  details: r.details ? JSON.parse(r.details) as Record<string, unknown> : null,
}));

/** Lists audit rows, newest first, optionally filtered by action prefix and result. */
export function listAudit(
  db: DatabaseSync,
  options: {
    limit: number;
    before?: number;
    action?: string;
    result?: string;
    /** Substring of the target (a container or file name). */
    target?: string;
    since?: number;
    until?: number;
  },
): AuditRecord[] {
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (options.target) {
    where.push("target LIKE ? ESCAPE '\\'");
    args.push("%" + options.target.replace(/[\\%_]/g, (ch) => "\\" + ch) + "%");
  }
  if (options.since) (where.push("ts >= ?"), args.push(options.since));
  if (options.until) (where.push("ts <= ?"), args.push(options.until));
  if (options.before) (where.push("id < ?"), args.push(options.before));
  if (options.action) {
    (where.push("action LIKE ? ESCAPE '\\'"), args.push(likePrefix(options.action)));
  }
  if (options.result) (where.push("result = ?"), args.push(options.result));
  const sql = `SELECT * FROM audit_log ${where.length ? "WHERE " + where.join(" AND ") : ""}
    ORDER BY id DESC LIMIT ?`;
  const rows = db.prepare(sql).all(...args, options.limit);
  return z.array(AuditRowSchema).parse(rows);
}

/** Counts: all rows, the last 24 hours, the last 7 days, and failures in the last 7 days. */
export function auditStats(db: DatabaseSync, now = Date.now()) {
  const count = (sql: string, ...args: number[]) =>
    (db.prepare(sql).get(...args) as { n: number }).n;
  return {
    total: count("SELECT COUNT(*) AS n FROM audit_log"),
    last24h: count("SELECT COUNT(*) AS n FROM audit_log WHERE ts >= ?", now - 86_400_000),
    last7d: count("SELECT COUNT(*) AS n FROM audit_log WHERE ts >= ?", now - 7 * 86_400_000),
    failures7d: count(
      "SELECT COUNT(*) AS n FROM audit_log WHERE ts >= ? AND result != 'success'",
      now - 7 * 86_400_000,
    ),
  };
}

/** Deletes rows older than `retentionMs`; resolves with how many went. */
export function pruneAudit(db: DatabaseSync, retentionMs: number, now = Date.now()): number {
  return Number(db.prepare("DELETE FROM audit_log WHERE ts < ?").run(now - retentionMs).changes);
}

/** Deletes every row (the clearing itself is recorded right after, by the caller). */
export function clearAudit(db: DatabaseSync): number {
  return Number(db.prepare("DELETE FROM audit_log").run().changes);
}

function likePrefix(text: string): string {
  return text.replace(/[\\%_]/g, (ch) => "\\" + ch) + "%";
}
