/**
 * Caches every running container's stats, refreshed on an interval (default 5 min) so
 * `GET /api/stats` answers at once; keeps a short history per container for charts.
 */
import type { DockerClient } from "../docker/client.ts";
import { getContainerStats, listContainers } from "../docker/containers.ts";
import type { Logger } from "../log/logger.ts";
import type { ContainerStats, StatsSnapshot } from "../shared/stats.ts";
import { toStatsPoint } from "./compute.ts";

/** The in-memory stats cache. Construct once; `start()` begins periodic refreshes. */
export class StatsCache {
  #entries = new Map<string, ContainerStats>();
  #refreshedAt?: number;
  #nextAt?: number;
  #refreshing?: Promise<void>;
  #queued?: Promise<void>;
  #timer?: ReturnType<typeof setTimeout>;

  constructor(
    private readonly docker: DockerClient,
    private readonly log: Logger,
    readonly intervalMs: number,
    private readonly historySize = 60,
  ) {}

  /** The cached figures, newest refresh. */
  snapshot(): StatsSnapshot {
    return {
      refreshedAt: this.#refreshedAt ? new Date(this.#refreshedAt).toISOString() : null,
      nextRefreshAt: this.#nextAt ? new Date(this.#nextAt).toISOString() : null,
      refreshing: this.#refreshing !== undefined,
      intervalSeconds: Math.round(this.intervalMs / 1000),
      containers: [...this.#entries.values()].sort((a, b) => a.name.localeCompare(b.name)),
    };
  }

  /**
   * Refreshes now and reschedules the next one. A call while a refresh runs gets the one
   * after it (shared by every such call): the running one may have listed the containers
   * before the caller's container existed.
   */
  refresh(): Promise<void> {
    if (this.#refreshing) {
      this.#queued ??= this.#refreshing.catch(() => {}).then(() => {
        this.#queued = undefined;
        return this.refresh();
      });
      return this.#queued;
    }
    this.#refreshing = this.#refresh().finally(() => {
      this.#refreshing = undefined;
      this.#schedule();
    });
    return this.#refreshing;
  }

  /** Starts periodic refreshes, the first one now. */
  start(): void {
    void this.refresh().catch(() => {});
  }

  /** Stops periodic refreshes. */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#nextAt = undefined;
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    this.#nextAt = Date.now() + this.intervalMs;
    this.#timer = setTimeout(() => void this.refresh().catch(() => {}), this.intervalMs);
  }

  async #refresh(): Promise<void> {
    let running;
    try {
      running = await listContainers(this.docker, { filters: { status: ["running"] } });
    } catch (err) {
      this.log.warn("stats refresh failed", { error: (err as Error).message });
      throw err;
    }
    const next = new Map<string, ContainerStats>();
    let i = 0;
    const worker = async () => {
      while (i < running.length) {
        const c = running[i++];
        const previous = this.#entries.get(c.id);
        const history = previous?.history ?? [];
        try {
          const point = toStatsPoint(await getContainerStats(this.docker, c.id));
          next.set(c.id, {
            id: c.id,
            name: c.name,
            latest: point,
            history: [...history, point].slice(-this.historySize),
          });
        } catch (err) {
          next.set(c.id, {
            id: c.id,
            name: c.name,
            latest: previous?.latest ?? null,
            history,
            error: (err as Error).message,
          });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(4, running.length) }, worker));
    this.#entries = next;
    this.#refreshedAt = Date.now();
  }
}
