/**
 * The backup queue: jobs persisted in SQLite, run one at a time. A job left `starting` or
 * `running` by a crash is marked failed at start-up, and a container it had stopped or paused
 * is started or resumed again. Progress is published to listeners (SSE) as it happens.
 */
import type { DatabaseSync } from "node:sqlite";
import { z } from "zod";
import type { DockerClient } from "../docker/client.ts";
import { inspectContainer, startContainer, unpauseContainer } from "../docker/containers.ts";
import { ConflictError, NotFoundError } from "../errors.ts";
import type { Logger } from "../log/logger.ts";
import type { Compression } from "./format.ts";
import { type BackupProgress, writeBackup } from "./writer.ts";
import { listBackups } from "./vault.ts";
import { containerName } from "../containers/lifecycle.ts";
import type { ContainerLocks } from "../containers/locks.ts";

/** Options of one job. */
export interface JobOptions {
  compression: Compression;
  consistency: "live" | "pause" | "stop";
  type: "manual" | "scheduled";
  /** Volume names, bind sources or mount destinations left out. */
  exclude?: string[];
  includeImage?: boolean;
  pre?: string[];
  post?: string[];
  /** The job's `container` is a compose project: back up all of its containers. */
  stack?: boolean;
  /** The schedule that queued it. */
  schedule?: string;
  /** Storage targets (ids) the finished backup is copied to. */
  targets?: number[];
}

const JobRowSchema = z.object({
  id: z.number(),
  container: z.string(),
  container_id: z.string().nullable(),
  options: z.string(),
  status: z.enum(["queued", "waiting", "starting", "running", "complete", "failed", "cancelled"]),
  created_at: z.number(),
  started_at: z.number().nullable(),
  finished_at: z.number().nullable(),
  error: z.string().nullable(),
  file: z.string().nullable(),
  user: z.string().nullable(),
  interrupted_state: z.string().nullable(),
  warnings: z.string().nullable(),
});

/** A job as the API shows it. */
export interface BackupJob {
  id: number;
  container: string;
  status: z.infer<typeof JobRowSchema>["status"];
  options: JobOptions;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
  file: string | null;
  /** Problems that did not fail the backup (a post command that failed). */
  warnings: string[];
  /** While waiting: what holds the container. */
  waitingFor?: string;
  progress?: BackupProgress & {
    rateBytesPerSecond: number;
    /** From the container's previous backup; absent for a first backup. */
    expectedBytes?: number;
    etaSeconds?: number;
  };
}

/** The job being worked on. */
interface RunningJob {
  id: number;
  abort: AbortController;
  progress?: BackupJob["progress"];
  waitingFor?: string;
}

const iso = (ms: number | null) => ms === null ? null : new Date(ms).toISOString();

/** The queue. Construct once; `recover()` at start-up, then `enqueue()`. */
export class BackupQueue extends EventTarget {
  #running?: RunningJob;
  #draining = false;
  #again = false;

  constructor(
    private readonly db: DatabaseSync,
    private readonly docker: DockerClient,
    private readonly log: Logger,
    private readonly config: {
      vaultDir: string;
      serverName: () => string;
      version: string;
      /** The admin's setting: honour `bosun.backup.pre/post` labels. */
      labelCommands: () => boolean;
      /** The admin's settings: mode and owner of finished backup files. */
      files?: () => { mode?: number; owner?: { uid: number; gid: number } };
      locks: ContainerLocks;
      /** Bosun's own container: never paused or stopped. */
      selfId?: string;
      /** Copies a finished backup to storage targets (S3). */
      copy?: (
        file: string,
        target: number,
        signal: AbortSignal,
        onProgress: (bytes: number) => void,
      ) => Promise<void>;
    },
  ) {
    super();
  }

  /** Marks interrupted jobs failed and puts their containers back as they were. */
  async recover(): Promise<number> {
    const rows = this.db.prepare(
      "SELECT * FROM backup_jobs WHERE status IN ('waiting', 'starting', 'running')",
    ).all().map((r) => JobRowSchema.parse(r));
    for (const row of rows) {
      this.#finish(row.id, "failed", "Bosun stopped while this backup ran; nothing was kept");
      if (!row.container_id || !row.interrupted_state) continue;
      for (const id of row.container_id.split(",")) {
        try {
          const c = await inspectContainer(this.docker, id);
          if (row.interrupted_state === "paused" && c.State.Status === "paused") {
            await unpauseContainer(this.docker, id);
          } else if (row.interrupted_state === "stopped" && c.State.Status !== "running") {
            await startContainer(this.docker, id);
          }
          this.log.info("container put back after an interrupted backup", {
            container: c.Name.replace(/^\//, ""),
          });
        } catch (err) {
          this.log.warn("could not put a container back", { error: (err as Error).message });
        }
      }
    }
    this.#drain();
    return rows.length;
  }

  /** Adds a job; it runs after the jobs before it. */
  enqueue(container: string, options: JobOptions, user?: string): BackupJob {
    const id = Number(
      this.db.prepare(
        `INSERT INTO backup_jobs (container, options, status, created_at, user)
       VALUES (?, ?, 'queued', ?, ?)`,
      ).run(container, JSON.stringify(options), Date.now(), user ?? null).lastInsertRowid,
    );
    this.#publish(id);
    this.#drain();
    return this.get(id);
  }

  /** One job. */
  get(id: number): BackupJob {
    const row = this.db.prepare("SELECT * FROM backup_jobs WHERE id = ?").get(id);
    if (!row) throw new NotFoundError(`No backup job ${id}`);
    return this.#toJob(JobRowSchema.parse(row));
  }

  /** Recent jobs, newest first. */
  list(limit = 50): BackupJob[] {
    return this.db.prepare("SELECT * FROM backup_jobs ORDER BY id DESC LIMIT ?").all(limit)
      .map((r) => this.#toJob(JobRowSchema.parse(r)));
  }

  /** Cancels a queued or running job. */
  cancel(id: number): BackupJob {
    const job = this.get(id);
    if (job.status === "queued") this.#finish(id, "cancelled", null);
    else if (this.#running?.id === id) this.#running.abort.abort(new Error("cancelled"));
    else throw new ConflictError(`Backup job ${id} is already ${job.status}`);
    return this.get(id);
  }

  /** Resolves when the job has finished (complete, failed or cancelled). */
  waitFor(id: number, signal?: AbortSignal): Promise<BackupJob> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const job = this.get(id);
        if (["complete", "failed", "cancelled"].includes(job.status)) {
          this.removeEventListener("job", check);
          resolve(job);
        }
      };
      signal?.addEventListener("abort", () => {
        this.removeEventListener("job", check);
        reject(signal.reason);
      });
      this.addEventListener("job", check);
      check();
    });
  }

  /** Runs queued jobs one at a time; a call while draining makes the loop look again. */
  #drain(): void {
    if (this.#draining) {
      this.#again = true;
      return;
    }
    this.#draining = true;
    (async () => {
      try {
        do {
          this.#again = false;
          let row;
          while (
            (row = this.db.prepare(
              "SELECT * FROM backup_jobs WHERE status = 'queued' ORDER BY id LIMIT 1",
            ).get())
          ) {
            await this.#run(JobRowSchema.parse(row));
          }
        } while (this.#again);
      } catch (err) {
        this.log.error("backup queue failed", { error: err });
      } finally {
        this.#draining = false;
      }
    })();
  }

  async #run(row: z.infer<typeof JobRowSchema>): Promise<void> {
    const abort = new AbortController();
    const running: RunningJob = { id: row.id, abort };
    this.#running = running;
    const options = JSON.parse(row.options) as JobOptions;
    let lastPublish = 0;
    let release: (() => void) | undefined;
    const warnings: string[] = [];
    try {
      let inspect = options.stack
        ? undefined
        : await inspectContainer(this.docker, row.container, { signal: abort.signal });
      const name = inspect ? containerName(inspect) : `stack:${row.container}`;
      let waited = false;
      release = await this.config.locks.acquire(name, "backup", {
        signal: abort.signal,
        onWait: (holder) => {
          waited = true;
          running.waitingFor = holder;
          this.#setStatus(row.id, "waiting");
        },
      });
      running.waitingFor = undefined;
      // A recreate replaces the container under the same name: back up the new one.
      if (waited && inspect) {
        inspect = await inspectContainer(this.docker, name, { signal: abort.signal });
      }
      this.db.prepare(
        "UPDATE backup_jobs SET status = 'starting', started_at = ?, container_id = ? WHERE id = ?",
      ).run(Date.now(), inspect?.Id ?? null, row.id);
      this.#publish(row.id);
      const started = Date.now();
      const previous = (await listBackups(this.config.vaultDir)).find((b) =>
        b.manifest.container.name === (options.stack ? `stack-${row.container}` : name) &&
        b.unpackedSize
      );
      const expectedBytes = previous?.unpackedSize;
      const files = this.config.files?.(); // the admin's mode and owner, read once
      const sidecar = await writeBackup(this.docker, {
        containerRef: inspect?.Id,
        project: options.stack ? row.container : undefined,
        selfId: this.config.selfId,
        vaultDir: this.config.vaultDir,
        serverName: this.config.serverName(),
        toolVersion: this.config.version,
        ...options,
        labelCommands: this.config.labelCommands(),
        fileMode: files?.mode,
        fileOwner: files?.owner,
        signal: abort.signal,
        onWarning: (message) => {
          warnings.push(message);
          this.db.prepare("UPDATE backup_jobs SET warnings = ? WHERE id = ?")
            .run(JSON.stringify(warnings), row.id);
        },
        onInterrupt: (state, ids) => {
          if (state) {
            this.db.prepare(
              "UPDATE backup_jobs SET interrupted_state = ?, container_id = ? WHERE id = ?",
            ).run(state, ids.join(","), row.id);
          } else {
            this.db.prepare("UPDATE backup_jobs SET interrupted_state = NULL WHERE id = ?")
              .run(row.id);
          }
        },
        onProgress: (p) => {
          if (!running.progress) this.#setStatus(row.id, "running");
          const seconds = Math.max(0.001, (Date.now() - started) / 1000);
          const rate = Math.round(p.bytesIn / seconds);
          running.progress = {
            ...p,
            rateBytesPerSecond: rate,
            expectedBytes,
            etaSeconds: expectedBytes && rate
              ? Math.max(0, Math.round((expectedBytes - p.bytesIn) / rate))
              : undefined,
          };
          if (Date.now() - lastPublish > 250) (lastPublish = Date.now(), this.#publish(row.id));
        },
      });
      this.db.prepare("UPDATE backup_jobs SET file = ? WHERE id = ?").run(sidecar.file, row.id);
      for (const target of options.targets ?? []) {
        if (!this.config.copy) break;
        try {
          await this.config.copy(sidecar.file, target, abort.signal, (bytes) => {
            running.progress = {
              ...(running.progress ?? { bytesIn: 0, rateBytesPerSecond: 0 }),
              bytesOut: bytes,
              member: `upload to storage target ${target}`,
            };
            if (Date.now() - lastPublish > 250) (lastPublish = Date.now(), this.#publish(row.id));
          });
        } catch (err) {
          throw new Error(
            `Stored locally as ${sidecar.file}; the copy to storage target ${target} failed: ` +
              (err as Error).message,
          );
        }
      }
      this.#finish(row.id, "complete", null);
    } catch (err) {
      const cancelled = abort.signal.aborted;
      this.#finish(
        row.id,
        cancelled ? "cancelled" : "failed",
        cancelled ? null : (err as Error).message,
      );
      if (!cancelled) {
        this.log.warn("backup failed", { job: row.id, error: (err as Error).message });
      }
    } finally {
      release?.();
      this.#running = undefined;
    }
  }

  #setStatus(id: number, status: "waiting" | "running"): void {
    this.db.prepare("UPDATE backup_jobs SET status = ? WHERE id = ?").run(status, id);
    this.#publish(id);
  }

  #finish(id: number, status: "complete" | "failed" | "cancelled", error: string | null): void {
    this.db.prepare(
      "UPDATE backup_jobs SET status = ?, error = ?, finished_at = ? WHERE id = ?",
    ).run(status, error, Date.now(), id);
    this.#publish(id);
  }

  #publish(id: number): void {
    this.dispatchEvent(new CustomEvent("job", { detail: this.get(id) }));
  }

  #toJob(row: z.infer<typeof JobRowSchema>): BackupJob {
    return {
      id: row.id,
      container: row.container,
      status: row.status,
      options: JSON.parse(row.options) as JobOptions,
      createdAt: iso(row.created_at)!,
      startedAt: iso(row.started_at),
      finishedAt: iso(row.finished_at),
      error: row.error,
      file: row.file,
      warnings: row.warnings ? JSON.parse(row.warnings) as string[] : [],
      waitingFor: this.#running?.id === row.id ? this.#running.waitingFor : undefined,
      progress: this.#running?.id === row.id ? this.#running.progress : undefined,
    };
  }
}
