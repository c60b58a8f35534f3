/** Schedules and their runs in SQLite. */
import type { DatabaseSync } from "node:sqlite";
import { Cron } from "croner";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import { type ScheduleSpec, ScheduleSpecSchema } from "../shared/schedules.ts";

/** A stored schedule. */
export interface Schedule extends ScheduleSpec {
  id: number;
  createdAt: string;
  lastRunAt: string | null;
}

/** One run of a schedule. */
export interface ScheduleRun {
  id: number;
  scheduleId: number;
  trigger: "cron" | "manual" | "missed";
  status: "running" | "complete" | "partial" | "failed" | "skipped";
  startedAt: string;
  finishedAt: string | null;
  summary: RunSummary | null;
}

/** What a run did. */
export interface RunSummary {
  backedUp: { container: string; file: string }[];
  failed: { container: string; error: string }[];
  skipped: { container: string; reason: string }[];
  pruned: { container: string; file: string }[];
  /** The configuration backup written by the run, when the schedule includes it. */
  config?: { file: string; copiedTo: string[] };
  note?: string;
}

const iso = (ms: number | null) => ms === null ? null : new Date(ms).toISOString();

/** Throws a ValidationError with the parser's message for a bad cron or time zone. */
export function assertCron(cron: string, timezone: string): void {
  try {
    new Intl.DateTimeFormat("en", { timeZone: timezone });
  } catch {
    throw new ValidationError(`Unknown time zone "${timezone.slice(0, 64)}"`, [
      { path: "timezone", message: "not an IANA time zone" },
    ]);
  }
  try {
    new Cron(cron, { timezone, paused: true }).stop();
  } catch (err) {
    throw new ValidationError(`Invalid cron expression: ${(err as Error).message}`, [
      { path: "cron", message: (err as Error).message },
    ]);
  }
}

/** The next `n` run times of a cron expression. */
export function nextRuns(cron: string, timezone: string, n: number, from?: Date): Date[] {
  const c = new Cron(cron, { timezone, paused: true });
  try {
    return c.nextRuns(n, from);
  } finally {
    c.stop();
  }
}

interface Row {
  id: number;
  name: string;
  spec: string;
  created_at: number;
  last_run_at: number | null;
}

function toSchedule(row: Row): Schedule {
  return {
    ...ScheduleSpecSchema.parse(JSON.parse(row.spec)),
    id: row.id,
    createdAt: iso(row.created_at)!,
    lastRunAt: iso(row.last_run_at),
  };
}

/** Every schedule, by name. */
export function listSchedules(db: DatabaseSync): Schedule[] {
  return (db.prepare("SELECT * FROM schedules ORDER BY name").all() as unknown as Row[])
    .map(toSchedule);
}

/** One schedule. */
export function getSchedule(db: DatabaseSync, id: number): Schedule {
  const row = db.prepare("SELECT * FROM schedules WHERE id = ?").get(id) as Row | undefined;
  if (!row) throw new NotFoundError(`No schedule ${id}`);
  return toSchedule(row);
}

/** Creates a schedule (cron and time zone validated). */
export function createSchedule(db: DatabaseSync, spec: ScheduleSpec): Schedule {
  assertCron(spec.cron, spec.timezone);
  try {
    const id = Number(
      db.prepare("INSERT INTO schedules (name, spec, enabled, created_at) VALUES (?, ?, ?, ?)")
        .run(spec.name, JSON.stringify(spec), spec.enabled ? 1 : 0, Date.now()).lastInsertRowid,
    );
    return getSchedule(db, id);
  } catch (err) {
    if (/UNIQUE/.test((err as Error).message)) {
      throw new ConflictError(`A schedule named "${spec.name}" already exists`);
    }
    throw err;
  }
}

/** Replaces a schedule's definition. */
export function updateSchedule(db: DatabaseSync, id: number, spec: ScheduleSpec): Schedule {
  getSchedule(db, id);
  assertCron(spec.cron, spec.timezone);
  try {
    db.prepare("UPDATE schedules SET name = ?, spec = ?, enabled = ? WHERE id = ?")
      .run(spec.name, JSON.stringify(spec), spec.enabled ? 1 : 0, id);
  } catch (err) {
    if (/UNIQUE/.test((err as Error).message)) {
      throw new ConflictError(`A schedule named "${spec.name}" already exists`);
    }
    throw err;
  }
  return getSchedule(db, id);
}

/** Deletes a schedule and its runs. */
export function deleteSchedule(db: DatabaseSync, id: number): void {
  getSchedule(db, id);
  db.prepare("DELETE FROM schedules WHERE id = ?").run(id);
  db.prepare("DELETE FROM schedule_locks WHERE schedule_id = ?").run(id);
}

/** Recent runs of a schedule, newest first. */
export function listRuns(db: DatabaseSync, scheduleId: number, limit = 20): ScheduleRun[] {
  const rows = db.prepare(
    "SELECT * FROM schedule_runs WHERE schedule_id = ? ORDER BY id DESC LIMIT ?",
  ).all(scheduleId, limit) as {
    id: number;
    schedule_id: number;
    trigger: ScheduleRun["trigger"];
    status: ScheduleRun["status"];
    started_at: number;
    finished_at: number | null;
    summary: string | null;
  }[];
  return rows.map((r) => ({
    id: r.id,
    scheduleId: r.schedule_id,
    trigger: r.trigger,
    status: r.status,
    startedAt: iso(r.started_at)!,
    finishedAt: iso(r.finished_at),
    summary: r.summary ? JSON.parse(r.summary) as RunSummary : null,
  }));
}

/** Starts a run record. */
export function startRun(db: DatabaseSync, scheduleId: number, trigger: ScheduleRun["trigger"]) {
  const now = Date.now();
  db.prepare("UPDATE schedules SET last_run_at = ? WHERE id = ?").run(now, scheduleId);
  return Number(
    db.prepare(
      "INSERT INTO schedule_runs (schedule_id, trigger, status, started_at) VALUES (?, ?, 'running', ?)",
    ).run(scheduleId, trigger, now).lastInsertRowid,
  );
}

/** Finishes a run record. */
export function finishRun(
  db: DatabaseSync,
  runId: number,
  status: ScheduleRun["status"],
  summary: RunSummary,
): void {
  db.prepare("UPDATE schedule_runs SET status = ?, finished_at = ?, summary = ? WHERE id = ?")
    .run(status, Date.now(), JSON.stringify(summary), runId);
}

/** Marks runs left "running" by a stopped Bosun as failed. */
export function failInterruptedRuns(db: DatabaseSync): number {
  return Number(
    db.prepare(
      `UPDATE schedule_runs SET status = 'failed', finished_at = ?,
         summary = '{"backedUp":[],"failed":[],"skipped":[],"pruned":[],"note":"Bosun stopped during this run"}'
       WHERE status = 'running'`,
    ).run(Date.now()).changes,
  );
}

/**
 * Takes the schedule's run lock: free, or held by a holder whose heartbeat is older than
 * `staleMs` (a Bosun that died mid-run). Returns false when a live run holds it.
 */
export function takeLock(
  db: DatabaseSync,
  scheduleId: number,
  holder: string,
  staleMs: number,
): boolean {
  const now = Date.now();
  const changed = db.prepare(
    `INSERT INTO schedule_locks (schedule_id, holder, heartbeat_at) VALUES (?, ?, ?)
     ON CONFLICT(schedule_id) DO UPDATE SET holder = excluded.holder,
       heartbeat_at = excluded.heartbeat_at
     WHERE schedule_locks.heartbeat_at < ?`,
  ).run(scheduleId, holder, now, now - staleMs).changes;
  return Number(changed) > 0;
}

/** Keeps a held lock fresh. */
export function heartbeat(db: DatabaseSync, scheduleId: number, holder: string): void {
  db.prepare("UPDATE schedule_locks SET heartbeat_at = ? WHERE schedule_id = ? AND holder = ?")
    .run(Date.now(), scheduleId, holder);
}

/** Releases a held lock. */
export function releaseLock(db: DatabaseSync, scheduleId: number, holder: string): void {
  db.prepare("DELETE FROM schedule_locks WHERE schedule_id = ? AND holder = ?")
    .run(scheduleId, holder);
}
