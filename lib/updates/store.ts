/** Update checks, per-container policies and update history in SQLite. */
import type { DatabaseSync } from "node:sqlite";
import {
  defaultPolicy,
  UPDATE_POLICIES,
  type UpdatePolicy,
  type UpdateRecord,
} from "../shared/updates.ts";

/** One stored check result. */
export interface CheckRow {
  container: string;
  image: string;
  status: "current" | "available" | "pinned" | "unknown" | "error";
  localDigest: string | null;
  remoteDigest: string | null;
  error: string | null;
  checkedAt: number;
}

/** Stores one container's check result; resolves with the previous one. */
export function saveCheck(db: DatabaseSync, row: CheckRow): CheckRow | undefined {
  const previous = getCheck(db, row.container);
  db.prepare(
    `INSERT INTO update_checks (container, image, status, local_digest, remote_digest, error, checked_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (container) DO UPDATE SET image = excluded.image, status = excluded.status,
       local_digest = excluded.local_digest, remote_digest = excluded.remote_digest,
       error = excluded.error, checked_at = excluded.checked_at`,
  ).run(
    row.container,
    row.image,
    row.status,
    row.localDigest,
    row.remoteDigest,
    row.error,
    row.checkedAt,
  );
  return previous;
}

function toCheck(r: Record<string, unknown>): CheckRow {
  return {
    container: String(r.container),
    image: String(r.image),
    status: r.status as CheckRow["status"],
    localDigest: (r.local_digest as string | null) ?? null,
    remoteDigest: (r.remote_digest as string | null) ?? null,
    error: (r.error as string | null) ?? null,
    checkedAt: Number(r.checked_at),
  };
}

/** One container's last check. */
export function getCheck(db: DatabaseSync, container: string): CheckRow | undefined {
  const r = db.prepare("SELECT * FROM update_checks WHERE container = ?").get(container);
  return r ? toCheck(r as Record<string, unknown>) : undefined;
}

/** Every stored check. */
export function listChecks(db: DatabaseSync): CheckRow[] {
  return db.prepare("SELECT * FROM update_checks ORDER BY container").all().map((r) =>
    toCheck(r as Record<string, unknown>)
  );
}

/** Forgets checks of containers that no longer exist. */
export function pruneChecks(db: DatabaseSync, existing: Set<string>): void {
  for (const c of listChecks(db)) {
    if (!existing.has(c.container)) {
      db.prepare("DELETE FROM update_checks WHERE container = ?").run(c.container);
    }
  }
}

/** A container's policy and pin: the stored one, or the default from its environment tag. */
export function policyOf(
  db: DatabaseSync,
  container: string,
  environment: string,
): { policy: UpdatePolicy; policySet: boolean; pinned: boolean } {
  const r = db.prepare("SELECT policy, pinned FROM update_policies WHERE container = ?").get(
    container,
  ) as { policy: string | null; pinned: number } | undefined;
  const set = r?.policy && (UPDATE_POLICIES as readonly string[]).includes(r.policy);
  return {
    policy: set ? r!.policy as UpdatePolicy : defaultPolicy(environment),
    policySet: Boolean(set),
    pinned: Boolean(r?.pinned),
  };
}

/** Sets a container's policy (null: back to the default) and/or pin. */
export function setPolicy(
  db: DatabaseSync,
  container: string,
  change: { policy?: UpdatePolicy | null; pinned?: boolean },
): void {
  db.prepare(
    "INSERT OR IGNORE INTO update_policies (container, policy, pinned) VALUES (?, NULL, 0)",
  )
    .run(container);
  if (change.policy !== undefined) {
    db.prepare("UPDATE update_policies SET policy = ? WHERE container = ?").run(
      change.policy,
      container,
    );
  }
  if (change.pinned !== undefined) {
    db.prepare("UPDATE update_policies SET pinned = ? WHERE container = ?").run(
      change.pinned ? 1 : 0,
      container,
    );
  }
}

/** Opens a history row for a queued update. */
export function queueHistory(
  db: DatabaseSync,
  row: { container: string; kind: UpdateRecord["kind"]; image: string; user?: string },
): number {
  const r = db.prepare(
    `INSERT INTO update_history (container, kind, image, status, started_at, user)
     VALUES (?, ?, ?, 'queued', ?, ?)`,
  ).run(row.container, row.kind, row.image, Date.now(), row.user ?? null);
  return Number(r.lastInsertRowid);
}

/** Marks a history row running, with what the update starts from. */
export function startHistory(
  db: DatabaseSync,
  id: number,
  row: { image: string; oldImageId: string; oldDigest: string | null; wasRunning: boolean },
): void {
  db.prepare(
    `UPDATE update_history SET status = 'running', image = ?, old_image_id = ?, old_digest = ?,
       was_running = ?, started_at = ? WHERE id = ?`,
  ).run(row.image, row.oldImageId, row.oldDigest, row.wasRunning ? 1 : 0, Date.now(), id);
}

/** Appends a step to a history row. */
export function addStep(db: DatabaseSync, id: number, step: string, detail?: string): void {
  const r = db.prepare("SELECT steps FROM update_history WHERE id = ?").get(id) as
    | { steps: string }
    | undefined;
  if (!r) return;
  const steps = JSON.parse(r.steps) as unknown[];
  steps.push({ at: Date.now(), step, ...(detail ? { detail } : {}) });
  db.prepare("UPDATE update_history SET steps = ? WHERE id = ?").run(JSON.stringify(steps), id);
}

/** Updates a history row's outcome fields. */
export function updateHistory(
  db: DatabaseSync,
  id: number,
  change: {
    status?: UpdateRecord["status"];
    newImageId?: string;
    newDigest?: string | null;
    error?: string;
    finished?: boolean;
  },
): void {
  const sets: string[] = [];
  const args: (string | number | null)[] = [];
  if (change.status) (sets.push("status = ?"), args.push(change.status));
  if (change.newImageId) (sets.push("new_image_id = ?"), args.push(change.newImageId));
  if (change.newDigest !== undefined) (sets.push("new_digest = ?"), args.push(change.newDigest));
  if (change.error !== undefined) (sets.push("error = ?"), args.push(change.error));
  if (change.finished) (sets.push("finished_at = ?"), args.push(Date.now()));
  if (!sets.length) return;
  db.prepare(`UPDATE update_history SET ${sets.join(", ")} WHERE id = ?`).run(...args, id);
}

function toRecord(r: Record<string, unknown>): UpdateRecord & { wasRunning: boolean } {
  return {
    id: Number(r.id),
    container: String(r.container),
    kind: r.kind as UpdateRecord["kind"],
    image: String(r.image),
    oldImageId: (r.old_image_id as string | null) ?? null,
    oldDigest: (r.old_digest as string | null) ?? null,
    newImageId: (r.new_image_id as string | null) ?? null,
    newDigest: (r.new_digest as string | null) ?? null,
    status: r.status as UpdateRecord["status"],
    startedAt: Number(r.started_at),
    finishedAt: r.finished_at === null ? null : Number(r.finished_at),
    error: (r.error as string | null) ?? null,
    steps: JSON.parse(String(r.steps)),
    user: (r.user as string | null) ?? null,
    wasRunning: Boolean(r.was_running),
  };
}

/** One history row. */
export function getHistory(db: DatabaseSync, id: number) {
  const r = db.prepare("SELECT * FROM update_history WHERE id = ?").get(id);
  return r ? toRecord(r as Record<string, unknown>) : undefined;
}

/** History, newest first, optionally of one container. */
export function listHistory(
  db: DatabaseSync,
  options: { container?: string; limit?: number } = {},
) {
  const rows = options.container
    ? db.prepare("SELECT * FROM update_history WHERE container = ? ORDER BY id DESC LIMIT ?").all(
      options.container,
      options.limit ?? 100,
    )
    : db.prepare("SELECT * FROM update_history ORDER BY id DESC LIMIT ?").all(options.limit ?? 100);
  return rows.map((r) => toRecord(r as Record<string, unknown>));
}

/**
 * Updates left unfinished by a Bosun that stopped mid-way, and rollbacks that failed (the
 * engine was gone): start-up finishes or rolls them back while the old container is there.
 */
export function unfinishedHistory(db: DatabaseSync) {
  return db.prepare(
    "SELECT * FROM update_history WHERE status IN ('queued', 'running', 'verified', 'rollback-failed') ORDER BY id",
  )
    .all().map((r) => toRecord(r as Record<string, unknown>));
}

/** Digests an update to which was rolled back (automatic updates do not retry them). */
export function rolledBackDigests(db: DatabaseSync, container: string): Set<string> {
  return new Set(
    (db.prepare(
      "SELECT new_digest FROM update_history WHERE container = ? AND status IN ('rolled-back', 'rollback-failed') AND new_digest IS NOT NULL",
    ).all(container) as { new_digest: string }[]).map((r) => r.new_digest),
  );
}

/** How many containers have an update available (pinned ones not counted). */
export function availableCount(db: DatabaseSync): number {
  const r = db.prepare(
    `SELECT COUNT(*) AS n FROM update_checks c LEFT JOIN update_policies p ON p.container = c.container
     WHERE c.status = 'available' AND COALESCE(p.pinned, 0) = 0`,
  ).get() as { n: number };
  return Number(r.n);
}

/** When the last check of any container finished (null when none has). */
export function lastCheckAt(db: DatabaseSync): number | null {
  const r = db.prepare("SELECT MAX(checked_at) AS t FROM update_checks").get() as {
    t: number | null;
  };
  return r.t === null ? null : Number(r.t);
}
