/**
 * The update service: one serial runner for every update (manual, "update all", automatic),
 * the check schedule, automatic updates by policy, notifications, and the start-up repair
 * of updates a stopped Bosun left half-done.
 */
import { recordAudit } from "../audit/audit.ts";
import {
  findContainer,
  listContainers,
  removeContainer,
  startContainer,
} from "../docker/containers.ts";
import { OLD_SUFFIX } from "../containers/recreate.ts";
import { effectiveEnvironment } from "../containers/safety.ts";
import type { Logger } from "../log/logger.ts";
import type { Notifier } from "../notify/notifier.ts";
import { getSettings } from "../settings/settings.ts";
import {
  ENVIRONMENT_ORDER,
  environmentOf,
  type UpdateAllSummary,
  type UpdateRecord,
} from "../shared/updates.ts";
import { type CheckDeps, type CheckReport, checkUpdates } from "./checker.ts";
import {
  getHistory,
  listChecks,
  policyOf,
  queueHistory,
  rolledBackDigests,
  unfinishedHistory,
  updateHistory,
} from "./store.ts";
import {
  isCriticalFailure,
  rollBack,
  updateContainer,
  type UpdateOptions,
  type UpdateOutcome,
  type UpdaterDeps,
  validateUpdate,
} from "./updater.ts";

/** What the service needs. */
export interface UpdateServiceDeps extends UpdaterDeps, Omit<CheckDeps, keyof UpdaterDeps> {
  log: Logger;
  notifier: Notifier;
  defaultServerName: string;
}

/** A progress event of the runner. */
export type UpdateEvent =
  | { type: "step"; historyId: number; container: string; step: string; detail?: string }
  | { type: "outcome"; outcome: UpdateOutcome }
  | { type: "run"; run: UpdateAllRun }
  | { type: "check"; at: number; available: number };

/** One "update all" run. */
export interface UpdateAllRun {
  id: number;
  status: "running" | "complete";
  startedAt: number;
  finishedAt?: number;
  summary: UpdateAllSummary;
}

/** The update service. Construct once. */
export class UpdateService extends EventTarget {
  #tail: Promise<unknown> = Promise.resolve();
  #runs = new Map<number, UpdateAllRun>();
  #nextRun = 1;
  #timer?: ReturnType<typeof setInterval>;
  #lastCheck?: number;
  #checking?: Promise<CheckReport>;
  #stopping = new AbortController();

  constructor(private readonly deps: UpdateServiceDeps) {
    super();
  }

  #emit(event: UpdateEvent): void {
    this.dispatchEvent(new CustomEvent("update", { detail: event }));
  }

  /** Runs `fn` after every update queued before it. */
  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(fn, fn);
    this.#tail = run.catch(() => {});
    return run;
  }

  /** The time of the last finished check (0 when none ran). */
  get lastCheck(): number {
    return this.#lastCheck ?? 0;
  }

  /** Checks now (one check at a time; a second caller shares the running one). */
  check(options: { containers?: string[] } = {}): Promise<CheckReport> {
    if (this.#checking && !options.containers) return this.#checking;
    const run = checkUpdates(this.deps, { ...options, signal: this.#stopping.signal }).then(
      (report) => {
        this.#lastCheck = Date.now();
        this.#afterCheck(report);
        return report;
      },
    );
    if (!options.containers) {
      this.#checking = run;
      run.finally(() => (this.#checking = undefined)).catch(() => {});
    }
    return run;
  }

  #afterCheck(report: CheckReport): void {
    const available = report.states.filter((s) => s.status === "available");
    this.#emit({ type: "check", at: this.lastCheck, available: available.length });
    for (const r of report.failedRegistries) {
      this.deps.log.warn("registry check failed", r);
    }
    for (const row of report.newlyAvailable) {
      const state = report.states.find((s) => s.container === row.container);
      if (!state || state.policy === "off" || state.pinned) continue;
      this.deps.notifier.notify({
        type: "update.available",
        title: `Update available for ${row.container}`,
        message: `${row.image}: ${row.localDigest ?? "?"} → ${row.remoteDigest}`,
        details: { container: row.container, image: row.image, digest: row.remoteDigest },
      });
    }
    for (const state of available) {
      if (state.policy !== "auto" || state.pinned) continue;
      if (
        state.remoteDigest &&
        rolledBackDigests(this.deps.db, state.container).has(state.remoteDigest)
      ) {
        continue; // this digest was rolled back before: it is not retried automatically
      }
      this.enqueue(state.container, { kind: "auto", user: "system" }).catch((err) =>
        this.deps.log.warn("automatic update not queued", {
          container: state.container,
          error: err,
        })
      );
    }
  }

  /**
   * Validates and queues one update; resolves with its (queued) history row once queued, and
   * the returned `done` with its outcome.
   */
  async enqueue(
    ref: string,
    options: Omit<UpdateOptions, "onStep" | "signal" | "historyId">,
  ): Promise<{ record: UpdateRecord; done: Promise<UpdateOutcome> }> {
    const v = await validateUpdate(this.deps, ref, options);
    const historyId = queueHistory(this.deps.db, {
      container: v.name,
      kind: options.kind,
      image: v.image,
      user: options.user,
    });
    const done = this.#serial(() => this.#runOne(v.name, { ...options, historyId }));
    done.catch(() => {});
    return { record: getHistory(this.deps.db, historyId)!, done };
  }

  async #runOne(
    name: string,
    options: UpdateOptions & { historyId: number },
  ): Promise<UpdateOutcome> {
    let outcome: UpdateOutcome;
    try {
      outcome = await updateContainer(this.deps, name, {
        ...options,
        signal: this.#stopping.signal,
        onStep: (historyId, step, detail) =>
          this.#emit({ type: "step", historyId, container: name, step, detail }),
      });
    } catch (err) {
      updateHistory(this.deps.db, options.historyId, {
        status: "failed",
        error: (err as Error).message,
        finished: true,
      });
      outcome = {
        historyId: options.historyId,
        container: name,
        status: "failed",
        error: (err as Error).message,
        critical: false,
      };
    }
    if (outcome.status === "applied") {
      // The stored check is stale now: check this container again before telling anyone.
      await this.check({ containers: [name] }).catch(() => {});
    }
    this.#record(outcome, options);
    return outcome;
  }

  #record(outcome: UpdateOutcome, options: UpdateOptions): void {
    this.#emit({ type: "outcome", outcome });
    recordAudit(this.deps.db, {
      action: `update.${options.kind}`,
      target: outcome.container,
      result: ["applied", "current"].includes(outcome.status) ? "success" : "failure",
      error: outcome.error,
      user: options.user,
      details: { status: outcome.status, historyId: outcome.historyId },
    });
    const events = {
      applied: ["update.applied", "applied"],
      "rolled-back": ["update.rolled_back", "rolled back"],
      "rollback-failed": ["update.failed", "failed, and so did its rollback"],
      failed: ["update.failed", "failed"],
    } as const;
    const event = events[outcome.status as keyof typeof events];
    if (event) {
      this.deps.notifier.notify({
        type: event[0],
        title: `Update of ${outcome.container} ${event[1]}`,
        message: outcome.error ?? `${outcome.container} runs its new image.`,
        details: { container: outcome.container, kind: options.kind, historyId: outcome.historyId },
      });
    }
  }

  /** Starts an "update all" run; resolves with the run at once. */
  updateAll(options: { confirm?: string[]; backup?: boolean; user?: string }): UpdateAllRun {
    const run: UpdateAllRun = {
      id: this.#nextRun++,
      status: "running",
      startedAt: Date.now(),
      summary: { updated: [], skipped: [], rolledBack: [], failed: [] },
    };
    this.#runs.set(run.id, run);
    this.#emit({ type: "run", run });
    (async () => {
      try {
        await this.check();
        await this.#updateAll(run, options);
      } catch (err) {
        run.summary.stoppedBy = (err as Error).message;
      }
      run.status = "complete";
      run.finishedAt = Date.now();
      recordAudit(this.deps.db, {
        action: "update.all",
        target: "all",
        result: run.summary.failed.length || run.summary.stoppedBy ? "failure" : "success",
        user: options.user,
        details: {
          updated: run.summary.updated.length,
          skipped: run.summary.skipped.length,
          rolledBack: run.summary.rolledBack.length,
          failed: run.summary.failed.length,
          stoppedBy: run.summary.stoppedBy,
        },
      });
      this.#emit({ type: "run", run });
    })();
    return run;
  }

  async #updateAll(
    run: UpdateAllRun,
    options: { confirm?: string[]; backup?: boolean; user?: string },
  ) {
    const containers = await listContainers(this.deps.docker);
    const labels = new Map(containers.map((c) => [c.name, c.labels]));
    const candidates = listChecks(this.deps.db)
      .filter((c) => c.status === "available" && labels.has(c.container))
      .map((c) => ({ ...c, environment: environmentOf(labels.get(c.container)!) }))
      .sort((a, b) =>
        ENVIRONMENT_ORDER.indexOf(a.environment as never) -
          ENVIRONMENT_ORDER.indexOf(b.environment as never) ||
        a.container.localeCompare(b.container)
      );
    const { summary } = run;
    for (const c of candidates) {
      if (summary.stoppedBy) {
        summary.skipped.push({
          container: c.container,
          reason: "stopped after a critical failure",
        });
        continue;
      }
      if (policyOf(this.deps.db, c.container, c.environment).pinned) {
        summary.skipped.push({ container: c.container, reason: "pinned" });
        continue;
      }
      if (c.remoteDigest && rolledBackDigests(this.deps.db, c.container).has(c.remoteDigest)) {
        summary.skipped.push({
          container: c.container,
          reason: "this version was rolled back before: update it on its own to retry",
        });
        continue;
      }
      const effective = effectiveEnvironment(
        labels.get(c.container),
        this.deps.hostEnvironment?.() ?? "",
      );
      const confirmed = options.confirm?.includes(c.container);
      if (effective === "PRD" && !confirmed) {
        summary.skipped.push({ container: c.container, reason: "PRD: not confirmed" });
        continue;
      }
      let outcome: UpdateOutcome;
      try {
        const queued = await this.enqueue(c.container, {
          kind: "update",
          backup: options.backup,
          user: options.user,
          confirm: confirmed ? c.container : undefined,
        });
        outcome = await queued.done;
      } catch (err) {
        if (isCriticalFailure(err)) {
          summary.failed.push({ container: c.container, error: (err as Error).message });
          summary.stoppedBy = `${c.container}: ${(err as Error).message}`;
        } else summary.skipped.push({ container: c.container, reason: (err as Error).message });
        continue;
      }
      if (outcome.status === "applied") summary.updated.push(c.container);
      else if (outcome.status === "current") {
        summary.skipped.push({ container: c.container, reason: "already current" });
      } else if (outcome.status === "rolled-back") summary.rolledBack.push(c.container);
      else summary.failed.push({ container: c.container, error: outcome.error ?? outcome.status });
      if (outcome.critical) {
        summary.stoppedBy = `${c.container}: ${outcome.error ?? outcome.status}`;
      }
      this.#emit({ type: "run", run });
    }
  }

  /** One "update all" run. */
  run(id: number): UpdateAllRun | undefined {
    return this.#runs.get(id);
  }

  /** Starts the check schedule (interval from the settings; 0 hours: on demand only). */
  start(tickMs = 60_000): void {
    const tick = () => {
      const hours = getSettings(this.deps.db, { serverName: this.deps.defaultServerName })
        .updateCheckHours;
      if (!hours || this.#checking) return;
      const last = this.#lastCheck ??
        Math.max(0, ...listChecks(this.deps.db).map((c) => c.checkedAt));
      if (Date.now() - last < hours * 3_600_000) return;
      this.check().catch((err) => {
        this.#lastCheck = Date.now();
        this.deps.log.warn("scheduled update check failed", { error: err });
      });
    };
    this.#timer = setInterval(tick, tickMs);
  }

  /** Stops the schedule and aborts running work (Bosun is shutting down). */
  stop(): void {
    clearInterval(this.#timer);
    this.#stopping.abort(new Error("Bosun is stopping"));
  }

  /**
   * Repairs what a stopped Bosun left: queued updates fail; an update caught mid-way is
   * rolled back to the old container (or finished, when it was already verified); a stray
   * `<name>-bosun-old` container is resolved. Resolves with how many containers it touched.
   */
  async recover(): Promise<number> {
    const { docker, db, log } = this.deps;
    let touched = 0;
    const handled = new Set<string>();
    const audit = (target: string, error: string | undefined, details: Record<string, unknown>) =>
      recordAudit(db, {
        action: "update.recover",
        target,
        result: error ? "failure" : "success",
        error,
        user: "system",
        details,
      });
    const find = (name: string) => findContainer(docker, name);
    for (const h of unfinishedHistory(db)) {
      if (h.status === "queued") {
        updateHistory(db, h.id, {
          status: "failed",
          error: "Bosun stopped before this update started",
          finished: true,
        });
        continue;
      }
      handled.add(h.container);
      const old = await find(`${h.container}${OLD_SUFFIX}`);
      const current = await find(h.container);
      try {
        if (old && h.status === "verified") {
          await removeContainer(docker, old.Id, { force: true, volumes: false });
          updateHistory(db, h.id, { status: "applied", finished: true });
          audit(h.container, undefined, { resolved: "verified update finished", historyId: h.id });
        } else if (old) {
          await rollBack(docker, h.container, current?.Id, old.Id, h.wasRunning);
          updateHistory(db, h.id, {
            status: "rolled-back",
            error: h.status === "rollback-failed"
              ? `${h.error ?? "the rollback failed"}; rolled back at start-up`
              : "Bosun stopped during the update; rolled back at start-up",
            finished: true,
          });
          audit(h.container, undefined, { resolved: "rolled back at start-up", historyId: h.id });
        } else if (h.status === "rollback-failed") {
          continue; // nothing left aside: repaired by hand since
        } else {
          if (current && h.wasRunning && current.State.Status !== "running") {
            await startContainer(docker, current.Id);
          }
          updateHistory(db, h.id, {
            status: "failed",
            error: "Bosun stopped during the update, before the container was replaced",
            finished: true,
          });
        }
        touched++;
      } catch (err) {
        updateHistory(db, h.id, {
          status: "rollback-failed",
          error: (err as Error).message,
          finished: true,
        });
        audit(h.container, (err as Error).message, { historyId: h.id });
        log.error("could not repair an interrupted update", { container: h.container, error: err });
      }
    }
    // Leftovers with no history (a recreate or a restore that stopped half-way) whose
    // container is gone: the old one is the only copy, so it gets its name back.
    for (const c of await listContainers(docker)) {
      if (!c.name.endsWith(OLD_SUFFIX)) continue;
      const name = c.name.slice(0, -OLD_SUFFIX.length);
      if (handled.has(name)) continue;
      const current = await find(name);
      if (current) {
        // Both exist and nothing here says which is good (it may be another tool's, or another
        // Bosun's update in progress): leave both for the user; an update refuses until then.
        log.warn("a leftover container sits beside its replacement", { container: c.name });
        continue;
      }
      try {
        await rollBack(docker, name, undefined, c.id, true);
        audit(name, undefined, { resolved: `${c.name} renamed back and started` });
        touched++;
      } catch (err) {
        audit(name, (err as Error).message, { leftover: c.name });
        log.error("could not resolve a leftover container", { container: c.name, error: err });
      }
    }
    if (touched) log.warn("repaired updates interrupted by the last stop", { containers: touched });
    return touched;
  }
}
