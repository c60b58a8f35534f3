/**
 * `/api/backups`: back up a container (synchronously for now — the persisted queue with
 * live progress is the next slice), list, verify, restore, download, delete.
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { stream } from "hono/streaming";
import type { DatabaseSync } from "node:sqlite";
import { COMPRESSIONS } from "../lib/backup/format.ts";
import { verifyBackup } from "../lib/backup/reader.ts";
import { restoreBackup } from "../lib/backup/restore.ts";
import { assertBackupName, backupSize, deleteBackup, listBackups } from "../lib/backup/vault.ts";
import { writeBackup } from "../lib/backup/writer.ts";
import type { DockerClient } from "../lib/docker/client.ts";
import { RateLimitedError } from "../lib/errors.ts";
import type { RateLimiter } from "../lib/ratelimit/rate_limiter.ts";
import { ContainerNameSchema, ContainerRefSchema } from "../lib/shared/containers.ts";
import { auditRequest } from "./_audit.ts";
import type { AppEnv } from "./_env.ts";
import { createRouter } from "./_openapi.ts";
import { PROBLEM_RESPONSES } from "./_problem.ts";

/** What the backup routes need. */
export interface BackupRouteDeps {
  docker: DockerClient;
  db: DatabaseSync;
  limiter: RateLimiter;
  vaultDir: string;
  serverName: () => string;
  version: string;
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
  const audited = async <T>(
    c: Context<AppEnv>,
    action: string,
    target: string,
    fn: () => Promise<T>,
  ): Promise<T> => {
    try {
      const result = await fn();
      auditRequest(c, deps.db, { action, target, result: "success" });
      return result;
    } catch (err) {
      auditRequest(c, deps.db, {
        action,
        target,
        result: "failure",
        error: (err as Error).message,
      });
      throw err;
    }
  };

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
      summary: "Back up a container (configuration and every volume) into the local vault",
      request: body(
        z.object({
          container: ContainerRefSchema,
          compression: z.enum(COMPRESSIONS).default("gzip"),
          consistency: z.enum(["live", "pause", "stop"]).default("live"),
        }).strict(),
      ),
      responses: {
        201: json(z.record(z.string(), z.unknown()), "The new backup's sidecar"),
        ...PROBLEM_RESPONSES,
      },
    }),
    async (c) => {
      const req = c.req.valid("json");
      const sidecar = await audited(
        c,
        "backup.create",
        req.container,
        () =>
          writeBackup(deps.docker, {
            containerRef: req.container,
            vaultDir: deps.vaultDir,
            serverName: deps.serverName(),
            toolVersion: deps.version,
            compression: req.compression,
            consistency: req.consistency,
            type: "manual",
            signal: c.req.raw.signal,
          }),
      );
      return c.json(sidecar, 201);
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
        "backup.restore",
        file,
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
      assertBackupName(file);
      await audited(c, "backup.delete", file, () => deleteBackup(deps.vaultDir, file));
      return c.body(null, 204);
    },
  );

  return app;
}
