/**
 * The scheduler: one croner job per enabled schedule (in its time zone). A run resolves the
 * selection now (so "all" includes containers created later, never Bosun or its helpers),
 * queues one backup per container through the backup queue, waits for them, and only when
 * every one completed applies the retention policy to that schedule's backups. Runs never
 * overlap: croner's overrun protection in-process, and a lock row with a heartbeat across
 * processes and restarts (a stale lock is taken over). A run missed while Bosun was down runs
 * once at start-up when it is within the grace window.
 */
import type { DatabaseSync } from "node:sqlite";
import { Cron } from "croner";
import type { BackupJob, BackupQueue } from "../backup/queue.ts";
import {
  applyRetention,
  hasRules,
  type RetentionDecision,
  type RetentionPolicy,
} from "../backup/retention.ts";
import { deleteBackup, forgetBackup, listVault, type VaultEntry } from "../backup/vault.ts";
import { HELPER_LABEL } from "../containers/lifecycle.ts";
import type { DockerClient } from "../docker/client.ts";
import { listContainers } from "../docker/containers.ts";
import type { Logger } from "../log/logger.ts";
import { recordAudit } from "../audit/audit.ts";
import {
  failInterruptedRuns,
  finishRun,
  getSchedule,
  heartbeat,
  listRuns,
  listSchedules,
  releaseLock,
  type RunSummary,
  type Schedule,
  type ScheduleRun,
  startRun,
  takeLock,
} from "./store.ts";

/** What the scheduler needs. */
export interface SchedulerDeps {
  db: DatabaseSync;
  docker: DockerClient;
  queue: BackupQueue;
  log: Logger;
  vaultDir: string;
  selfId?: string;
  /** A run missed by at most this much is made up at start-up. */
  graceMs: number;
  /** A lock whose heartbeat is older than this belonged to a Bosun that died. */
  staleMs?: number;
  /** Writes a configuration backup into the vault; resolves with its file name. */
  configBackup?: () => Promise<string>;
  /** Copies a vault file (not a container backup) to a storage target. */
  copyFile?: (file: string, target: number) => Promise<string>;
}

/** Runs schedules. Construct once; `start()` after the queue has recovered. */
export class Scheduler extends EventTarget {
  #jobs = new Map<number, Cron>();
  #running = new Set<number>();
  readonly #holder = crypto.randomUUID();

  constructor(private readonly deps: SchedulerDeps) {
    super();
  }

  /** Schedules every enabled schedule and makes up missed runs. */
  start(): void {
    const failed = failInterruptedRuns(this.deps.db);
    if (failed) this.deps.log.warn("schedule runs interrupted by the last stop", { failed });
    const now = Date.now();
    for (const s of listSchedules(this.deps.db)) {
      this.#arm(s);
      const since = new Date(Date.parse(s.lastRunAt ?? s.createdAt));
      const due = s.enabled ? this.#nextAfter(s, since) : null;
      if (due && due.getTime() < now && now - due.getTime() <= this.deps.graceMs) {
        this.deps.log.info("running a schedule missed while Bosun was down", {
          schedule: s.name,
          due: due.toISOString(),
        });
        void this.run(s.id, "missed").catch(() => {});
      }
    }
  }

  /** Stops every timer (runs in progress finish on their own). */
  stop(): void {
    for (const job of this.#jobs.values()) job.stop();
    this.#jobs.clear();
  }

  /** Re-reads one schedule after it was created, changed or deleted. */
  reload(id: number): void {
    this.#jobs.get(id)?.stop();
    this.#jobs.delete(id);
    try {
      this.#arm(getSchedule(this.deps.db, id));
    } catch { /* deleted */ }
  }

  /** When the schedule runs next, or null when disabled. */
  nextRun(id: number): Date | null {
    return this.#jobs.get(id)?.nextRun() ?? null;
  }

  /** A schedule as the API and the page show it: with its next run and last result. */
  view(s: Schedule) {
    return {
      ...s,
      nextRun: this.nextRun(s.id)?.toISOString() ?? null,
      running: this.isRunning(s.id),
      lastRun: listRuns(this.deps.db, s.id, 1)[0] ?? null,
    };
  }

  /** The soonest next run of any enabled schedule. */
  soonest(): { name: string; at: string } | null {
    let best: { name: string; at: string } | null = null;
    for (const s of listSchedules(this.deps.db)) {
      const at = this.nextRun(s.id)?.toISOString();
      if (at && (!best || at < best.at)) best = { name: s.name, at };
    }
    return best;
  }

  /** True while a run of the schedule is in progress here. */
  isRunning(id: number): boolean {
    return this.#running.has(id);
  }

  #arm(s: Schedule): void {
    if (!s.enabled) return;
    const job = new Cron(s.cron, { timezone: s.timezone, protect: true }, () => {
      void this.run(s.id, "cron").catch((err) =>
        this.deps.log.error("schedule run failed", { schedule: s.name, error: err })
      );
    });
    this.#jobs.set(s.id, job);
  }

  #nextAfter(s: Schedule, since: Date): Date | null {
    const c = new Cron(s.cron, { timezone: s.timezone, paused: true });
    try {
      return c.nextRun(since);
    } finally {
      c.stop();
    }
  }

  /** Runs a schedule now; resolves with the run record when it has finished. */
  async run(id: number, trigger: ScheduleRun["trigger"]): Promise<number> {
    const { db } = this.deps;
    const schedule = getSchedule(db, id);
    const staleMs = this.deps.staleMs ?? 120_000;
    if (this.#running.has(id) || !takeLock(db, id, this.#holder, staleMs)) {
      const runId = startRun(db, id, trigger);
      finishRun(db, runId, "skipped", {
        backedUp: [],
        failed: [],
        skipped: [],
        pruned: [],
        note: "The previous run of this schedule is still going",
      });
      return runId;
    }
    this.#running.add(id);
    const beat = setInterval(() => heartbeat(db, id, this.#holder), staleMs / 4);
    const runId = startRun(db, id, trigger);
    this.#publish(id, runId);
    const summary: RunSummary = { backedUp: [], failed: [], skipped: [], pruned: [] };
    let status: ScheduleRun["status"] = "failed";
    try {
      const { targets, skipped } = await this.#select(schedule);
      summary.skipped.push(...skipped);
      const jobs: BackupJob[] = targets.map((container) =>
        this.deps.queue.enqueue(container, {
          compression: schedule.compression,
          consistency: schedule.consistency,
          type: "scheduled",
          schedule: schedule.name,
          ...(schedule.targets.length ? { targets: schedule.targets } : {}),
        }, `schedule:${schedule.name}`)
      );
      for (const [i, job] of jobs.entries()) {
        const done = await this.deps.queue.waitFor(job.id);
        if (done.status === "complete" && done.file) {
          summary.backedUp.push({ container: targets[i], file: done.file });
        } else {
          summary.failed.push({ container: targets[i], error: done.error ?? done.status });
        }
      }
      if (schedule.includeConfig && this.deps.configBackup) {
        try {
          const file = await this.deps.configBackup();
          summary.config = { file, copiedTo: [] };
          for (const t of schedule.targets) {
            summary.config.copiedTo.push(await this.deps.copyFile!(file, t));
          }
        } catch (err) {
          summary.failed.push({
            container: "(Bosun configuration)",
            error: (err as Error).message,
          });
        }
      }
      if (!summary.failed.length) {
        summary.pruned = await this.#prune(schedule, summary.backedUp.map((b) => b.container));
      } else {
        summary.note = "Retention was not applied: not every backup of this run completed";
      }
      status = summary.failed.length
        ? (summary.backedUp.length ? "partial" : "failed")
        : "complete";
    } catch (err) {
      summary.note = (err as Error).message;
      status = "failed";
    } finally {
      clearInterval(beat);
      finishRun(db, runId, status, summary);
      releaseLock(db, id, this.#holder);
      this.#running.delete(id);
      this.#publish(id, runId);
      this.dispatchEvent(
        new CustomEvent("finished", { detail: { schedule: schedule.name, status, summary } }),
      );
      recordAudit(db, {
        action: "schedule.run",
        target: schedule.name,
        result: status === "complete" ? "success" : "failure",
        error: summary.note,
        user: `schedule:${schedule.name}`,
        details: {
          trigger,
          backedUp: summary.backedUp.length,
          failed: summary.failed.length,
          pruned: summary.pruned.length,
        },
      });
    }
    return runId;
  }

  /** The containers a schedule selects now, never Bosun itself or its helpers. */
  async #select(s: Schedule): Promise<{ targets: string[]; skipped: RunSummary["skipped"] }> {
    const all = await listContainers(this.deps.docker);
    const eligible = all.filter((c) =>
      c.id !== this.deps.selfId && c.labels[HELPER_LABEL] !== "true"
    );
    const sel = s.selection;
    if (sel.mode === "all") return { targets: eligible.map((c) => c.name), skipped: [] };
    if (sel.mode === "project") {
      const names = eligible.filter((c) => c.labels["com.docker.compose.project"] === sel.project)
        .map((c) => c.name);
      return names.length
        ? { targets: names, skipped: [] }
        : { targets: [], skipped: [{ container: sel.project, reason: "no such compose project" }] };
    }
    if (sel.mode === "label") {
      const [key, value] = sel.label.split("=", 2) as [string, string | undefined];
      return {
        targets: eligible.filter((c) =>
          key in c.labels && (value === undefined || c.labels[key] === value)
        ).map((c) => c.name),
        skipped: [],
      };
    }
    const present = new Set(eligible.map((c) => c.name));
    const isSelf = new Set(all.filter((c) => !present.has(c.name)).map((c) => c.name));
    return {
      targets: sel.containers.filter((n) => present.has(n)),
      skipped: sel.containers.filter((n) => !present.has(n)).map((n) => ({
        container: n,
        reason: isSelf.has(n) ? "Bosun or one of its helpers" : "no such container (removed?)",
      })),
    };
  }

  /** Applies the schedule's retention to its own backups of the given containers. */
  async #prune(s: Schedule, containers: string[]): Promise<RunSummary["pruned"]> {
    const { db, vaultDir } = this.deps;
    const pruned: RunSummary["pruned"] = [];
    const vault = await listVault(vaultDir, db);
    for (const container of new Set(containers)) {
      const policy = s.containerRetention[container] ?? s.retention;
      if (!hasRules(policy)) continue;
      const decisions = this.#decide(s, vault, container, policy);
      for (const d of decisions.filter((d) => !d.keep)) {
        try {
          await deleteBackup(vaultDir, d.file);
          forgetBackup(db, d.file);
          pruned.push({ container, file: d.file });
        } catch (err) {
          this.deps.log.warn("retention could not delete a backup", {
            file: d.file,
            error: (err as Error).message,
          });
        }
      }
    }
    if (pruned.length) {
      recordAudit(db, {
        action: "backup.retention",
        target: s.name,
        result: "success",
        user: `schedule:${s.name}`,
        details: { deleted: pruned.map((p) => p.file) },
      });
    }
    return pruned;
  }

  /** What the schedule's retention would delete now (a dry run). */
  async dryRun(id: number) {
    const s = getSchedule(this.deps.db, id);
    const vault = await listVault(this.deps.vaultDir, this.deps.db);
    const out: RetentionDecision[] = [];
    const containers = new Set(
      vault.filter((b) => b.manifest.schedule === s.name).map((b) => b.manifest.container.name),
    );
    for (const container of containers) {
      const policy = s.containerRetention[container] ?? s.retention;
      out.push(...this.#decide(s, vault, container, hasRules(policy) ? policy : {}));
    }
    return out;
  }

  /** Retention's decisions for one container's backups: its manual ones and this schedule's. */
  #decide(s: Schedule, vault: VaultEntry[], container: string, policy: RetentionPolicy) {
    const mine = vault.filter((b) =>
      b.manifest.container.name === container &&
      (b.manifest.type === "manual" || b.manifest.schedule === s.name)
    );
    return applyRetention(
      mine.map((b) => ({
        file: b.file,
        container,
        created: new Date(b.manifest.created),
        type: b.manifest.type,
        verified: b.verified?.ok === true,
      })),
      policy,
      s.timezone,
    );
  }

  #publish(scheduleId: number, runId: number): void {
    this.dispatchEvent(new CustomEvent("run", { detail: { scheduleId, runId } }));
  }
}
