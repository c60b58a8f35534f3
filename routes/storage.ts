/**
 * `/api/storage`: S3-compatible targets (secrets write-only), test connection (which step
 * failed), and the backups on each target: list, copy a vault backup there, download (Range),
 * verify (re-download and re-hash), restore (streamed to a temporary file that is removed
 * afterwards), delete.
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { DatabaseSync } from "node:sqlite";
import type { DockerClient } from "../lib/docker/client.ts";
import { restoreBackup } from "../lib/backup/restore.ts";
import { assertBackupName, backupSize, previewTrees } from "../lib/backup/vault.ts";
import { ValidationError } from "../lib/errors.ts";
import type { RateLimiter } from "../lib/ratelimit/rate_limiter.ts";
import { assertOutboundUrl } from "../lib/notify/url_guard.ts";
import type { SecretBox } from "../lib/secrets/secret_box.ts";
import { S3TargetSchema } from "../lib/shared/storage.ts";
import {
  deleteRemote,
  downloadRemote,
  listRemoteBackups,
  remoteSidecar,
  uploadBackup,
  verifyRemote,
} from "../lib/storage/s3_backups.ts";
import {
  clientFor,
  deleteTarget,
  listTargets,
  openTarget,
  saveTarget,
  testConnection,
} from "../lib/storage/targets.ts";
import { audited } from "./_audit.ts";
import { contentDisposition } from "./_files.ts";
import type { AppEnv } from "./_env.ts";
import { Any, body, createRouter, json } from "./_openapi.ts";
import { PROBLEM_RESPONSES } from "./_problem.ts";
import { RestoreBodySchema } from "./backups.ts";

const Id = z.object({ id: z.coerce.number().int().min(1) });
const IdFile = z.object({ id: z.coerce.number().int().min(1), file: z.string().max(255) });

/** Builds the storage router. */
export function createStorageRoutes(
  deps: {
    db: DatabaseSync;
    secrets: SecretBox;
    docker: DockerClient;
    vaultDir: string;
    limiter: RateLimiter;
  },
): OpenAPIHono<AppEnv> {
  const app = createRouter();
  const target = (id: number) => openTarget(deps.db, deps.secrets, id);

  app.openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["storage"],
      summary: "Storage targets (the local vault is always there); secrets never shown",
      responses: { 200: json(z.array(Any), "Targets"), ...PROBLEM_RESPONSES },
    }),
    (c) => c.json(listTargets(deps.db) as unknown as Record<string, unknown>[], 200),
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/",
      tags: ["storage"],
      summary: "Add an S3-compatible target",
      request: body(S3TargetSchema),
      responses: { 201: json(Any, "The target"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const input = c.req.valid("json");
      const t = await audited(
        c,
        deps.db,
        { action: "storage.create", target: input.name },
        () => saveTarget(deps.db, deps.secrets, input),
      );
      return c.json(t as unknown as Record<string, unknown>, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/{id}",
      tags: ["storage"],
      summary: "Change a target (a blank secret keeps the stored one)",
      request: { params: Id, ...body(S3TargetSchema) },
      responses: { 200: json(Any, "The target"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const input = c.req.valid("json");
      const t = await audited(
        c,
        deps.db,
        { action: "storage.update", target: input.name },
        () => saveTarget(deps.db, deps.secrets, input, c.req.valid("param").id),
      );
      return c.json(t as unknown as Record<string, unknown>, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/{id}",
      tags: ["storage"],
      summary: "Remove a target (its objects stay in the bucket)",
      request: { params: Id },
      responses: { 204: { description: "Removed" }, ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      await audited(
        c,
        deps.db,
        { action: "storage.delete", target: String(id) },
        () => Promise.resolve(deleteTarget(deps.db, id)),
      );
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/test",
      tags: ["storage"],
      summary: "Test an unsaved target: write, read back, list, delete a probe object",
      request: body(S3TargetSchema),
      responses: { 200: json(Any, "Which step failed, if any"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const input = c.req.valid("json");
      if (!input.secretAccessKey) throw new ValidationError("The secret access key is required");
      await assertOutboundUrl(input.endpoint);
      const report = await testConnection(clientFor(input, input.secretAccessKey), input.prefix);
      return c.json(report as unknown as Record<string, unknown>, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/{id}/test",
      tags: ["storage"],
      summary: "Test a saved target",
      request: { params: Id },
      responses: { 200: json(Any, "Which step failed, if any"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const t = await target(c.req.valid("param").id);
      const report = await testConnection(t.client, t.prefix);
      return c.json(report as unknown as Record<string, unknown>, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/{id}/backups",
      tags: ["storage"],
      summary: "Backups on a target (from their sidecars), newest first",
      request: { params: Id },
      responses: { 200: json(z.array(Any), "Backups"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const t = await target(c.req.valid("param").id);
      const list = await listRemoteBackups(t.client, t.prefix);
      return c.json(list.map((b) => ({ ...b, location: t.view.name })), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/{id}/backups",
      tags: ["storage"],
      summary: "Copy a vault backup to this target (multipart, verified ETag, sidecar beside)",
      request: { params: Id, ...body(z.object({ file: z.string().max(255) }).strict()) },
      responses: { 201: json(Any, "Stored"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const { file } = c.req.valid("json");
      await backupSize(deps.vaultDir, file);
      const t = await target(c.req.valid("param").id);
      const result = await audited(
        c,
        deps.db,
        { action: "backup.upload-s3", target: `${t.view.name}:${file}` },
        () => uploadBackup(t.client, t.prefix, deps.vaultDir, file, { signal: c.req.raw.signal }),
      );
      return c.json({ file, target: t.view.name, etag: result.etag }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/{id}/backups/{file}/download",
      tags: ["storage"],
      summary: "Download a backup from the target (streamed; Range passed through)",
      request: { params: IdFile },
      responses: { 200: { description: "The archive" }, ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const { id, file } = c.req.valid("param");
      assertBackupName(file);
      const t = await target(id);
      await remoteSidecar(t.client, t.prefix, file);
      const range = c.req.header("Range");
      const res = await t.client.get(t.prefix + file, range);
      const headers = new Headers({
        "Content-Type": file.endsWith(".zst") ? "application/zstd" : "application/gzip",
        "Content-Disposition": contentDisposition(file),
        "Accept-Ranges": "bytes",
        "Cache-Control": "no-store",
      });
      for (const h of ["content-length", "content-range"]) {
        const v = res.headers.get(h);
        if (v) headers.set(h, v);
      }
      return new Response(res.body, { status: res.status === 206 ? 206 : 200, headers });
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/{id}/backups/{file}/preview",
      tags: ["storage"],
      summary: "The manifest and file trees of a backup on the target, streamed, not stored",
      request: {
        params: IdFile,
        query: z.object({ limit: z.coerce.number().int().min(1).max(50_000).default(5000) }),
      },
      responses: { 200: json(Any, "Manifest and trees"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const { id, file } = c.req.valid("param");
      const t = await target(id);
      const sidecar = await remoteSidecar(t.client, t.prefix, file);
      const res = await t.client.get(t.prefix + file);
      const trees = await previewTrees(res.body!, sidecar.compression, c.req.valid("query").limit);
      return c.json({ manifest: sidecar.manifest, ...trees }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/{id}/backups/{file}/verify",
      tags: ["storage"],
      summary: "Re-download and re-hash a backup on the target (never trusts the ETag)",
      request: { params: IdFile },
      responses: { 200: json(Any, "Verification report"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const { id, file } = c.req.valid("param");
      const t = await target(id);
      const report = await verifyRemote(t.client, t.prefix, file);
      return c.json(report as unknown as Record<string, unknown>, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/{id}/backups/{file}/restore",
      tags: ["storage"],
      summary: "Restore a backup from the target (as /api/backups/{file}/restore)",
      request: { params: IdFile, ...body(RestoreBodySchema) },
      responses: { 200: json(Any, "What was restored"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      deps.limiter.enforce("restore", c.var.ip, "Too many restores; wait a while");
      const { id, file } = c.req.valid("param");
      assertBackupName(file);
      const t = await target(id);
      const dir = `${deps.vaultDir}/.s3-restore-${crypto.randomUUID().slice(0, 8)}.partial`;
      await Deno.mkdir(dir, { mode: 0o700 });
      try {
        const result = await audited(
          c,
          deps.db,
          { action: "backup.restore", target: `${t.view.name}:${file}` },
          async () => {
            await downloadRemote(t.client, t.prefix, file, dir);
            return await restoreBackup(deps.docker, {
              vaultDir: dir,
              file,
              ...c.req.valid("json"),
            });
          },
        );
        return c.json(result as unknown as Record<string, unknown>, 200);
      } finally {
        await Deno.remove(dir, { recursive: true }).catch(() => {});
      }
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/{id}/backups/{file}",
      tags: ["storage"],
      summary: "Delete a backup and its sidecar from the target",
      request: { params: IdFile },
      responses: { 204: { description: "Deleted" }, ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const { id, file } = c.req.valid("param");
      const t = await target(id);
      await audited(
        c,
        deps.db,
        { action: "backup.delete", target: `${t.view.name}:${file}` },
        () => deleteRemote(t.client, t.prefix, file),
      );
      return c.body(null, 204);
    },
  );
  return app;
}
