/**
 * Health monitoring: on an interval, each container's state, restart count (and its growth),
 * exit code, Docker health status, and CPU and memory (from the stats cache) against
 * thresholds become Healthy / Warning / Critical / Unknown / Stopped with the reasons. Each
 * check is kept 30 days. A container that turns critical or stops unexpectedly raises a
 * notification event.
 */
import type { DatabaseSync } from "node:sqlite";
import type { DockerClient } from "../docker/client.ts";
import { inspectContainer, listContainers } from "../docker/containers.ts";
import { isWorkContainer } from "../containers/recreate.ts";
import type { Logger } from "../log/logger.ts";
import type { Notifier } from "../notify/notifier.ts";
import type { Settings } from "../shared/settings.ts";
import type { StatsPoint } from "../shared/stats.ts";

/** Health statuses, worst last. */
export const HEALTH_STATUSES = ["healthy", "stopped", "unknown", "warning", "critical"] as const;
/** One status. */
export type HealthStatus = (typeof HEALTH_STATUSES)[number];

/** One check of one container. */
export interface HealthCheck {
  container: string;
  ts: number;
  status: HealthStatus;
  reasons: string[];
  restartCount: number | null;
  exitCode: number | null;
  health: string | null;
  cpuPercent: number | null;
  memoryPercent: number | null;
}

/** What an assessment reads of an inspect. */
export interface InspectFacts {
  state: string;
  exitCode: number;
  restartCount: number;
  health: string | null;
  oomKilled: boolean;
}

/** Thresholds from the settings. */
export type Thresholds = Pick<
  Settings,
  "cpuWarnPercent" | "cpuCriticalPercent" | "memoryWarnPercent" | "memoryCriticalPercent"
>;

/** The status of a container from its facts, its last stats and its previous check. */
export function assess(
  f: InspectFacts,
  stats: StatsPoint | null,
  previous: HealthCheck | undefined,
  t: Thresholds,
): { status: HealthStatus; reasons: string[] } {
  const reasons: string[] = [];
  const growth = previous?.restartCount !== null && previous?.restartCount !== undefined
    ? f.restartCount - previous.restartCount
    : 0;
  if (f.state === "restarting" || (growth >= 2 && f.state !== "exited")) {
    reasons.push(
      `crash-looping: restarted ${growth > 0 ? `${growth} times since the last check` : "again"}` +
        (f.exitCode ? `, last exit code ${f.exitCode}` : ""),
    );
    if (f.oomKilled) reasons.push("killed for memory (out of memory)");
    return { status: "critical", reasons };
  }
  if (f.state === "exited" || f.state === "dead") {
    if (f.oomKilled) return { status: "critical", reasons: ["killed: out of memory (exit 137)"] };
    if (f.exitCode === 137 || f.exitCode === 143) {
      // SIGKILL or SIGTERM: how `docker stop` ends a container; not a crash by itself.
      return { status: "stopped", reasons: [`stopped by a signal (exit ${f.exitCode})`] };
    }
    if (f.exitCode !== 0) {
      return { status: "critical", reasons: [`exited with code ${f.exitCode}`] };
    }
    return { status: "stopped", reasons: ["exited cleanly (code 0)"] };
  }
  if (f.state === "created") return { status: "stopped", reasons: ["created, never started"] };
  if (f.state === "paused") return { status: "warning", reasons: ["paused"] };
  if (f.state !== "running") return { status: "unknown", reasons: [`state ${f.state}`] };
  let status: HealthStatus = "healthy";
  const worse = (s: HealthStatus) => {
    if (HEALTH_STATUSES.indexOf(s) > HEALTH_STATUSES.indexOf(status)) status = s;
  };
  if (f.health === "unhealthy") (worse("critical"), reasons.push("its healthcheck fails"));
  else if (f.health === "starting") (worse("warning"), reasons.push("its healthcheck is starting"));
  if (growth === 1) (worse("warning"), reasons.push("restarted once since the last check"));
  if (stats) {
    if (stats.cpuPercent >= t.cpuCriticalPercent) {
      worse("critical");
      reasons.push(`CPU ${stats.cpuPercent.toFixed(0)} %`);
    } else if (stats.cpuPercent >= t.cpuWarnPercent) {
      worse("warning");
      reasons.push(`CPU ${stats.cpuPercent.toFixed(0)} %`);
    }
    if (stats.memoryLimitBytes > 0) {
      if (stats.memoryPercent >= t.memoryCriticalPercent) {
        worse("critical");
        reasons.push(`memory ${stats.memoryPercent.toFixed(0)} % of its limit`);
      } else if (stats.memoryPercent >= t.memoryWarnPercent) {
        worse("warning");
        reasons.push(`memory ${stats.memoryPercent.toFixed(0)} % of its limit`);
      }
    }
  }
  if (status === "healthy") {
    reasons.push(f.health === "healthy" ? "running, healthcheck passes" : "running");
  }
  return { status, reasons };
}

function toCheck(r: Record<string, unknown>): HealthCheck {
  return {
    container: String(r.container),
    ts: Number(r.ts),
    status: r.status as HealthStatus,
    reasons: JSON.parse(String(r.reasons)),
    restartCount: r.restart_count === null ? null : Number(r.restart_count),
    exitCode: r.exit_code === null ? null : Number(r.exit_code),
    health: (r.health as string | null) ?? null,
    cpuPercent: r.cpu_percent === null ? null : Number(r.cpu_percent),
    memoryPercent: r.memory_percent === null ? null : Number(r.memory_percent),
  };
}

/** The latest check of each container that still exists. */
export function latestChecks(db: DatabaseSync): HealthCheck[] {
  return db.prepare(
    `SELECT h.* FROM health_checks h JOIN (SELECT container, MAX(id) AS id FROM health_checks GROUP BY container) m
       ON h.id = m.id ORDER BY h.container`,
  ).all().map((r) => toCheck(r as Record<string, unknown>));
}

/** A container's checks since `since` (ms), oldest first. */
export function timeline(
  db: DatabaseSync,
  container: string,
  since = 0,
  limit = 2000,
): HealthCheck[] {
  return db.prepare(
    "SELECT * FROM health_checks WHERE container = ? AND ts >= ? ORDER BY id DESC LIMIT ?",
  ).all(container, since, limit).map((r) => toCheck(r as Record<string, unknown>)).reverse();
}

/** What the monitor needs. */
export interface MonitorDeps {
  docker: DockerClient;
  db: DatabaseSync;
  log: Logger;
  notifier: Notifier;
  settings: () => Settings;
  /** The latest stats point of a container, by id. */
  statsOf: (id: string) => StatsPoint | null;
}

const KEEP_MS = 30 * 86_400_000;

/** The monitor. Construct once; `start()` runs it on the settings' interval. */
export class HealthMonitor extends EventTarget {
  #timer?: ReturnType<typeof setInterval>;
  #running?: Promise<HealthCheck[]>;
  lastRun = 0;

  constructor(private readonly deps: MonitorDeps) {
    super();
  }

  /** Checks every container now (one run at a time). */
  check(): Promise<HealthCheck[]> {
    this.#running ??= this.#check().finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #check(): Promise<HealthCheck[]> {
    const { docker, db } = this.deps;
    const settings = this.deps.settings();
    const previous = new Map(latestChecks(db).map((c) => [c.container, c]));
    const out: HealthCheck[] = [];
    const insert = db.prepare(
      `INSERT INTO health_checks (container, ts, status, reasons, restart_count, exit_code, health, cpu_percent, memory_percent)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const c of await listContainers(docker)) {
      if (isWorkContainer(c)) continue;
      const i = await inspectContainer(docker, c.id).catch(() => undefined) as
        | {
          RestartCount?: number;
          State: {
            Status: string;
            ExitCode?: number;
            OOMKilled?: boolean;
            Health?: { Status: string };
          };
        }
        | undefined;
      if (!i) continue;
      const facts: InspectFacts = {
        state: i.State.Status,
        exitCode: i.State.ExitCode ?? 0,
        restartCount: i.RestartCount ?? 0,
        health: i.State.Health?.Status ?? null,
        oomKilled: i.State.OOMKilled ?? false,
      };
      const stats = facts.state === "running" ? this.deps.statsOf(c.id) : null;
      const before = previous.get(c.name);
      const { status, reasons } = assess(facts, stats, before, settings);
      const check: HealthCheck = {
        container: c.name,
        ts: Date.now(),
        status,
        reasons,
        restartCount: facts.restartCount,
        exitCode: facts.state === "running" ? null : facts.exitCode,
        health: facts.health,
        cpuPercent: stats?.cpuPercent ?? null,
        memoryPercent: stats?.memoryPercent ?? null,
      };
      insert.run(
        check.container,
        check.ts,
        check.status,
        JSON.stringify(check.reasons),
        check.restartCount,
        check.exitCode,
        check.health,
        check.cpuPercent,
        check.memoryPercent,
      );
      out.push(check);
      this.#notify(before, check);
    }
    db.prepare("DELETE FROM health_checks WHERE ts < ?").run(Date.now() - KEEP_MS);
    this.lastRun = Date.now();
    this.dispatchEvent(new CustomEvent("checked", { detail: out }));
    return out;
  }

  #notify(before: HealthCheck | undefined, now: HealthCheck): void {
    if (!before || before.status === now.status) return;
    if (now.status === "critical" && before.exitCode === null) {
      const stopped = now.exitCode !== null;
      this.deps.notifier.notify({
        type: stopped ? "health.stopped" : "health.unhealthy",
        title: stopped ? `${now.container} stopped unexpectedly` : `${now.container} is unhealthy`,
        message: now.reasons.join("; "),
        details: { container: now.container, status: now.status, reasons: now.reasons },
      });
    }
  }

  /**
   * Runs checks on the settings' interval (0: off). The interval is read every second, so a
   * change in Settings applies at once.
   */
  start(): void {
    this.#timer = setInterval(() => {
      const seconds = this.deps.settings().healthIntervalSeconds;
      if (!seconds || this.#running || Date.now() - this.lastRun < seconds * 1000) return;
      this.check().catch((err) => this.deps.log.warn("health check failed", { error: err }));
    }, 1000);
  }

  /** Stops the schedule. */
  stop(): void {
    clearInterval(this.#timer);
  }
}
