/**
 * `/api/backups`: back up a container (synchronously for now — the persisted queue with
 * live progress is the next slice), list, verify, restore, download, delete.
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { stream } from "hono/streaming";
import type { DatabaseSync } from "node:sqlite";
import {
  BackupPreferencesSchema,
  getPreferences,
  rememberPreferences,
  stripUndefined,
} from "../lib/backup/preferences.ts";
import { containerName, isHelper } from "../lib/containers/lifecycle.ts";
import { SelfProtectionError } from "../lib/containers/self.ts";
import { inspectContainer } from "../lib/docker/containers.ts";
import { verifyBackup } from "../lib/backup/reader.ts";
import { restoreBackup } from "../lib/backup/restore.ts";
import { assertBackupName, backupSize, deleteBackup, listBackups } from "../lib/backup/vault.ts";
import type { BackupJob, BackupQueue } from "../lib/backup/queue.ts";
import { principalName } from "./_env.ts";
import { sse } from "./_sse.ts";
import type { DockerClient } from "../lib/docker/client.ts";
import { RateLimitedError, ValidationError } from "../lib/errors.ts";
import type { RateLimiter } from "../lib/ratelimit/rate_limiter.ts";
import { ContainerNameSchema, ContainerRefSchema } from "../lib/shared/containers.ts";
import { audited, auditRequest } from "./_audit.ts";
import type { AppEnv } from "./_env.ts";
import { createRouter } from "./_openapi.ts";
import { PROBLEM_RESPONSES } from "./_problem.ts";

/** What the backup routes need. */
export interface BackupRouteDeps {
  queue: BackupQueue;
  docker: DockerClient;
  db: DatabaseSync;
  limiter: RateLimiter;
  vaultDir: string;
  serverName: () => string;
  version: string;
  /** Bosun's own container (never paused or stopped for a backup). */
  selfId?: string;
}

const FileParam = z.object({ file: z.string().max(255) });
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
const body = <T extends z.ZodType>(schema: T) => ({
  body: { required: true, content: { "application/json": { schema } } },
});

/** Builds the backups router. */
export function createBackupRoutes(deps: BackupRouteDeps): OpenAPIHono<AppEnv> {
  const app = createRouter();

  app.openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["backups"],
      summary: "Backups in the local vault, newest first (from their sidecars)",
      responses: {
        200: json(z.array(z.record(z.string(), z.unknown())), "Backups"),
        ...PROBLEM_RESPONSES,
      },
    }),
    async (c) => c.json(await listBackups(deps.vaultDir), 200),
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/",
      tags: ["backups"],
      summary: "Queue a backup of a container (configuration and every volume); wait=true " +
        "answers when it has finished",
      request: {
        query: z.object({ wait: z.enum(["true", "false"]).default("false") }).strict(),
        ...body(
          BackupPreferencesSchema.extend({
            container: ContainerRefSchema,
            remember: z.boolean().default(true)
              .describe("remember these choices for the container's next backups"),
          }).strict(),
        ),
      },
      responses: {
        202: json(z.record(z.string(), z.unknown()), "The queued job"),
        200: json(z.record(z.string(), z.unknown()), "The finished job (wait=true)"),
        ...PROBLEM_RESPONSES,
      },
    }),
    async (c) => {
      const { container: ref, remember, ...choices } = c.req.valid("json");
      const target = await inspectContainer(deps.docker, ref);
      if (isHelper(target)) {
        throw new ValidationError("Bosun's helper containers are not backed up");
      }
      const name = containerName(target);
      const options = { ...getPreferences(deps.db, name), ...stripUndefined(choices) };
      if (target.Id === deps.selfId && (options.consistency ?? "live") !== "live") {
        throw new SelfProtectionError("Bosun never stops or pauses itself: back it up live");
      }
      if (remember) rememberPreferences(deps.db, name, choices);
      const job = deps.queue.enqueue(ref, {
        compression: options.compression ?? "gzip",
        consistency: options.consistency ?? "live",
        exclude: options.exclude,
        includeImage: options.includeImage,
        pre: options.pre,
        post: options.post,
        type: "manual",
      }, principalName(c.var.principal));
      const req = { container: ref };
      auditRequest(c, deps.db, {
        action: "backup.queue",
        target: req.container,
        result: "success",
        details: { job: job.id },
      });
      if (c.req.valid("query").wait !== "true") return c.json(job, 202);
      const done = await deps.queue.waitFor(job.id, c.req.raw.signal);
      auditRequest(c, deps.db, {
        action: "backup.create",
        target: req.container,
        result: done.status === "complete" ? "success" : "failure",
        error: done.error ?? undefined,
        details: { job: job.id, file: done.file },
      });
      return c.json(done, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/preferences/{container}",
      tags: ["backups"],
      summary: "The backup choices remembered for a container (consistency, exclusions, …)",
      request: { params: z.object({ container: ContainerRefSchema }) },
      responses: { 200: json(BackupPreferencesSchema, "Remembered choices"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const name = containerName(
        await inspectContainer(deps.docker, c.req.valid("param").container),
      );
      return c.json(getPreferences(deps.db, name), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/jobs",
      tags: ["backups"],
      summary: "Recent backup jobs, newest first",
      responses: {
        200: json(z.array(z.record(z.string(), z.unknown())), "Jobs"),
        ...PROBLEM_RESPONSES,
      },
    }),
    (c) => c.json(deps.queue.list(), 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/jobs/stream",
      tags: ["backups"],
      summary: "Live job updates over SSE (`job` events: status, bytes, rate, current member)",
      responses: {
        200: {
          description: "An SSE stream",
          content: { "text/event-stream": { schema: z.string() } },
        },
        ...PROBLEM_RESPONSES,
      },
    }),
    (c) =>
      sse(c, async (send, signal) => {
        for (const job of deps.queue.list(20).reverse()) await send("job", job, String(job.id));
        const queue: BackupJob[] = [];
        let wake: (() => void) | undefined;
        const onJob = (e: Event) => {
          queue.push((e as CustomEvent<BackupJob>).detail);
          wake?.();
        };
        deps.queue.addEventListener("job", onJob);
        try {
          while (!signal.aborted) {
            if (!queue.length) {
              await new Promise<void>((
                r,
              ) => (wake = r, signal.addEventListener("abort", () => r())));
            }
            while (queue.length) {
              const job = queue.shift()!;
              await send("job", job, String(job.id));
            }
          }
        } finally {
          deps.queue.removeEventListener("job", onJob);
        }
      }),
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/jobs/{id}",
      tags: ["backups"],
      summary: "Cancel a queued or running backup job",
      request: { params: z.object({ id: z.coerce.number().int().min(1) }) },
      responses: { 200: json(z.record(z.string(), z.unknown()), "The job"), ...PROBLEM_RESPONSES },
    }),
    (c) => {
      const { id } = c.req.valid("param");
      const job = deps.queue.cancel(id);
      auditRequest(c, deps.db, { action: "backup.cancel", target: String(id), result: "success" });
      return c.json(job, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/{file}/verify",
      tags: ["backups"],
      summary: "Re-hash every member against SHA256SUMS and the file against its sidecar",
      request: { params: FileParam },
      responses: {
        200: json(z.record(z.string(), z.unknown()), "Verification report"),
        ...PROBLEM_RESPONSES,
      },
    }),
    async (c) => {
      const { file } = c.req.valid("param");
      await backupSize(deps.vaultDir, file);
      const report = await verifyBackup(deps.vaultDir, file);
      auditRequest(c, deps.db, {
        action: "backup.verify",
        target: file,
        result: report.ok ? "success" : "failure",
        error: report.error,
      });
      return c.json(report, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/{file}/restore",
      tags: ["backups"],
      summary: "Restore a backup (new name, volume choices, port overrides); verified first",
      request: {
        params: FileParam,
        ...body(
          z.object({
            name: ContainerNameSchema.optional(),
            volumes: z.record(
              z.string().max(255),
              z.object({
                mode: z.enum(["new", "overwrite", "skip"]),
                target: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/).optional(),
              }).strict(),
            ).optional(),
            binds: z.record(
              z.string().max(4096),
              z.object({
                mode: z.enum(["restore", "skip"]),
                target: z.string().min(1).max(4096).optional(),
              }).strict(),
            ).optional().describe("per bind (by original host path); default skip"),
            staticIps: z.enum(["keep", "drop"]).optional()
              .describe("a static IP another container holds: refuse (keep) or take a free one"),
            ports: z.record(
              z.string().regex(/^\d+\/(tcp|udp|sctp)$/),
              z.number().int().min(1).max(65535),
            )
              .optional(),
            start: z.boolean().optional(),
            force: z.boolean().optional(),
          }).strict(),
        ),
      },
      responses: {
        200: json(z.record(z.string(), z.unknown()), "What was restored"),
        ...PROBLEM_RESPONSES,
      },
    }),
    async (c) => {
      const decision = deps.limiter.hit("restore", c.var.ip);
      if (!decision.ok) {
        throw new RateLimitedError("Too many restores; wait a while", decision.retryAfterSeconds);
      }
      const { file } = c.req.valid("param");
      await backupSize(deps.vaultDir, file);
      const req = c.req.valid("json");
      const result = await audited(
        c,
        deps.db,
        { action: "backup.restore", target: file },
        () => restoreBackup(deps.docker, { vaultDir: deps.vaultDir, file, ...req }),
      );
      return c.json(result, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/{file}/download",
      tags: ["backups"],
      summary: "Download a backup file (streamed)",
      request: { params: FileParam },
      responses: { 200: { description: "The archive, as an attachment" }, ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const { file } = c.req.valid("param");
      const size = await backupSize(deps.vaultDir, file);
      auditRequest(c, deps.db, { action: "backup.download", target: file, result: "success" });
      c.header("Content-Type", file.endsWith(".zst") ? "application/zstd" : "application/gzip");
      c.header("Content-Length", String(size));
      c.header("Content-Disposition", `attachment; filename="${file}"`); // a checked safe name
      return stream(c, async (out) => {
        const f = await Deno.open(`${deps.vaultDir}/${file}`);
        out.onAbort(() => f.close());
        for await (const chunk of f.readable) await out.write(chunk);
      });
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/{file}",
      tags: ["backups"],
      summary: "Delete a backup and its sidecar",
      request: { params: FileParam },
      responses: { 204: { description: "Deleted" }, ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const { file } = c.req.valid("param");
      assertBackupName(file); // a malformed name is refused before anything is audited
      await audited(
        c,
        deps.db,
        { action: "backup.delete", target: file },
        () => deleteBackup(deps.vaultDir, file),
      );
      return c.body(null, 204);
    },
  );

  return app;
}
