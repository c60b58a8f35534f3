/**
 * Image pulls as background jobs with live per-layer progress, so a browser can follow one
 * over SSE (and pick it up again after a reload).
 */
import type { DockerClient } from "../docker/client.ts";
import { RecentJobs } from "../jobs/recent_jobs.ts";
import { pullImage, type PullProgress, type RegistryAuth } from "../docker/images.ts";

/** One layer's progress. */
export interface LayerProgress {
  id: string;
  status: string;
  current?: number;
  total?: number;
}

/** One pull as the API shows it. */
export interface PullJob {
  id: number;
  reference: string;
  status: "running" | "complete" | "failed";
  startedAt: number;
  finishedAt?: number;
  error?: string;
  /** The last status line that is not about one layer ("Digest: …", "Status: …"). */
  message?: string;
  layers: LayerProgress[];
}

/** The pull jobs of this process. Construct once. */
export class PullJobs extends RecentJobs<PullJob> {
  constructor(private readonly docker: DockerClient) {
    super();
  }

  /** Starts pulling; resolves with the job at once, and `done` when it ends. */
  start(reference: string, auth?: RegistryAuth): { job: PullJob; done: Promise<PullJob> } {
    const job = this.add((id): PullJob => ({
      id,
      reference,
      status: "running",
      startedAt: Date.now(),
      layers: [],
    }));
    const layers = new Map<string, LayerProgress>();
    let lastEmit = 0;
    const emit = (force = false) => {
      const now = Date.now();
      if (!force && now - lastEmit < 200) return;
      lastEmit = now;
      job.layers = [...layers.values()];
      this.dispatchEvent(new CustomEvent("pull", { detail: structuredClone(job) }));
    };
    const onProgress = (p: PullProgress) => {
      if (p.id && p.status && !/^(Pulling from|Digest:|Status:)/.test(p.status)) {
        layers.set(p.id, {
          id: p.id,
          status: p.status,
          current: p.progressDetail?.current,
          total: p.progressDetail?.total,
        });
      } else if (p.status) job.message = p.status;
      emit();
    };
    const done = pullImage(this.docker, reference, { auth, onProgress }).then(
      () => {
        job.status = "complete";
      },
      (err) => {
        job.status = "failed";
        job.error = (err as Error).message;
      },
    ).then(() => {
      job.finishedAt = Date.now();
      emit(true);
      return job;
    });
    return { job, done };
  }
}
