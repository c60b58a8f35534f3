/** Stack deploys as background jobs whose steps a browser follows over SSE. */
import { RecentJobs } from "../jobs/recent_jobs.ts";

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

/** The deploy jobs of this process; one deploy per stack at a time. Construct once. */
export class StackJobs extends RecentJobs<StackJob> {
  /** Runs `fn` as a job (refused while the same stack deploys); resolves with it at once. */
  start(
    stack: string,
    fn: (onStep: (step: string) => void) => Promise<unknown>,
  ): { job: StackJob; done: Promise<StackJob> } | undefined {
    if ([...this.all()].some((j) => j.stack === stack && j.status === "running")) {
      return undefined;
    }
    const job = this.add((id): StackJob => ({
      id,
      stack,
      status: "running",
      steps: [],
      startedAt: Date.now(),
    }));
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
}
