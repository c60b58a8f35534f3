/**
 * The recent background jobs of one kind (pulls, stack deploys), kept in memory for the API
 * and SSE streams: the newest ones, plus every job still running.
 */

/** A job as kept: an id and a status. */
export interface RecentJob {
  id: number;
  status: string;
}

/** Jobs by id, trimmed to the newest `keep` that are not running. */
export class RecentJobs<T extends RecentJob> extends EventTarget {
  #jobs = new Map<number, T>();
  #next = 1;

  constructor(private readonly keep = 20) {
    super();
  }

  /** Stores a new job made by `make` with the next id, dropping old finished ones. */
  protected add(make: (id: number) => T): T {
    const job = make(this.#next++);
    this.#jobs.set(job.id, job);
    for (const id of [...this.#jobs.keys()].slice(0, Math.max(0, this.#jobs.size - this.keep))) {
      if (this.#jobs.get(id)!.status !== "running") this.#jobs.delete(id);
    }
    return job;
  }

  /** The jobs still kept. */
  protected all(): IterableIterator<T> {
    return this.#jobs.values();
  }

  /** One job. */
  get(id: number): T | undefined {
    return this.#jobs.get(id);
  }
}
