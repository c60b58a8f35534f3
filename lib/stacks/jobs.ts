/** Stack deploys as background jobs whose steps a browser follows over SSE. */

/** One deploy job. */
export interface StackJob {
  id: number;
  stack: string;
  status: "running" | "complete" | "failed";
  steps: string[];
  startedAt: number;
  finishedAt?: number;
  error?: string;
  /** The deploy's result when complete. */
  result?: unknown;
}

const KEEP = 20;

/** The deploy jobs of this process; one deploy per stack at a time. Construct once. */
export class StackJobs extends EventTarget {
  #jobs = new Map<number, StackJob>();
  #next = 1;

  /** Runs `fn` as a job (refused while the same stack deploys); resolves with it at once. */
  start(
    stack: string,
    fn: (onStep: (step: string) => void) => Promise<unknown>,
  ): { job: StackJob; done: Promise<StackJob> } | undefined {
    if ([...this.#jobs.values()].some((j) => j.stack === stack && j.status === "running")) {
      return undefined;
    }
    const job: StackJob = {
      id: this.#next++,
      stack,
      status: "running",
      steps: [],
      startedAt: Date.now(),
    };
    this.#jobs.set(job.id, job);
    for (const id of [...this.#jobs.keys()].slice(0, Math.max(0, this.#jobs.size - KEEP))) {
      if (this.#jobs.get(id)!.status !== "running") this.#jobs.delete(id);
    }
    const emit = () => this.dispatchEvent(new CustomEvent("job", { detail: structuredClone(job) }));
    const done = fn((step) => {
      job.steps.push(step);
      emit();
    }).then(
      (result) => {
        job.status = "complete";
        job.result = result;
      },
      (err) => {
        job.status = "failed";
        job.error = (err as Error).message;
      },
    ).then(() => {
      job.finishedAt = Date.now();
      emit();
      return job;
    });
    return { job, done };
  }

  /** One job. */
  get(id: number): StackJob | undefined {
    return this.#jobs.get(id);
  }
}
