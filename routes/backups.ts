/**
 * `/api/backups`: back up a container (synchronously for now — the persisted queue with
 * live progress is the next slice), list, verify, restore, download, delete.
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { DatabaseSync } from "node:sqlite";
import {
  BackupPreferencesSchema,
  getPreferences,
  rememberPreferences,
  stripUndefined,
} from "../lib/backup/preferences.ts";
import { containerName, isHelper } from "../lib/containers/lifecycle.ts";
import { SelfProtectionError } from "../lib/containers/self.ts";
import { inspectContainer, listContainers } from "../lib/docker/containers.ts";
import { verifyBackup } from "../lib/backup/reader.ts";
import { restoreBackup } from "../lib/backup/restore.ts";
import {
  assertBackupName,
  backupSize,
  deleteBackup,
  forgetBackup,
  listBackups,
  listVault,
  previewBackup,
  recordVerification,
} from "../lib/backup/vault.ts";
import { createLink, listLinks, resolveLink, revokeLink } from "../lib/backup/links.ts";
import { type Context, Hono } from "hono";
import { receiveUpload, type UploadLimits } from "../lib/backup/upload.ts";
import {
  backupNetwork,
  deleteNetworkBackup,
  listNetworkBackups,
  readNetworkBackup,
  restoreNetwork,
} from "../lib/backup/networks.ts";
import { sendFile } from "./_files.ts";
import { getTarget } from "../lib/storage/targets.ts";
import type { Notifier } from "../lib/notify/notifier.ts";
import type { BackupJob, BackupQueue } from "../lib/backup/queue.ts";
import { principalName } from "./_env.ts";
import { relay, sse } from "./_sse.ts";
import { hostEnvironment } from "../lib/settings/settings.ts";
import { effectiveEnvironment, requireConfirmation } from "../lib/containers/safety.ts";
import type { DockerClient } from "../lib/docker/client.ts";
import { NotFoundError, ValidationError } from "../lib/errors.ts";
import type { RateLimiter } from "../lib/ratelimit/rate_limiter.ts";
import { ContainerNameSchema, ContainerRefSchema } from "../lib/shared/containers.ts";
import { audited, auditRequest } from "./_audit.ts";
import type { AppEnv } from "./_env.ts";
import { Any, body, createRouter, json, SSE_STREAM } from "./_openapi.ts";
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
  /** Raises "verify.failed". */
  notifier?: Notifier;
  /** Caps on uploaded archives. */
  uploads: UploadLimits;
  /** Default lifetime of a download link. */
  linkTtlMs: number;
}

/** Streams a vault backup with Range support. */
export function sendBackup(c: Context<AppEnv>, vaultDir: string, file: string, size: number) {
  return sendFile(c, `${vaultDir}/${file}`, {
    name: file,
    contentType: file.endsWith(".zst") ? "application/zstd" : "application/gzip",
    size,
  });
}

/** The public `/dl/{token}` route: a download link's file, without a session. */
export function createDownloadLinkRoutes(
  deps: { db: DatabaseSync; vaultDir: string },
): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get("/:token", async (c) => {
    const file = resolveLink(deps.db, c.req.param("token"));
    if (!file) throw new NotFoundError("This download link is unknown, expired or revoked");
    const size = await backupSize(deps.vaultDir, file);
    if (!c.req.header("Range") && c.req.method === "GET") {
      auditRequest(c, deps.db, {
        action: "backup.download",
        target: file,
        result: "success",
        details: { via: "link" },
      });
    }
    return await sendBackup(c, deps.vaultDir, file, size);
  });
  return app;
}

/** The body of a restore (vault or storage target). */
export const RestoreBodySchema = z.object({
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
  confirm: z.string().max(128).optional()
    .describe("the name of a PRD container whose volume an overwrite replaces"),
}).strict();

const FileParam = z.object({ file: z.string().max(255) });

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
        200: json(z.array(Any), "Backups"),
        ...PROBLEM_RESPONSES,
      },
    }),
    async (c) => c.json(await listVault(deps.vaultDir, deps.db), 200),
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
            container: ContainerRefSchema.optional(),
            stack: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,127}$/).optional()
              .describe("a compose project: every one of its containers in one archive"),
            remember: z.boolean().default(true)
              .describe("remember these choices for the container's next backups"),
            targets: z.array(z.number().int().min(1)).max(10).optional()
              .describe("storage targets (ids) to copy the finished backup to"),
          }).strict().refine((b) => (b.container === undefined) !== (b.stack === undefined), {
            message: "give either container or stack",
          }),
        ),
      },
      responses: {
        202: json(Any, "The queued job"),
        200: json(Any, "The finished job (wait=true)"),
        ...PROBLEM_RESPONSES,
      },
    }),
    async (c) => {
      const { container: ref, stack, remember, targets, ...choices } = c.req.valid("json");
      for (const t of targets ?? []) getTarget(deps.db, t); // 404 for an unknown target
      let key: string;
      if (stack) {
        if (choices.pre || choices.post || choices.includeImage) {
          throw new ValidationError(
            "A stack backup takes its commands from labels and does not include images",
          );
        }
        const members = await listContainers(deps.docker, {
          filters: { label: [`com.docker.compose.project=${stack}`] },
        });
        if (!members.length) throw new NotFoundError(`No compose project "${stack}"`);
        key = `stack:${stack}`;
      } else {
        const target = await inspectContainer(deps.docker, ref!);
        if (isHelper(target)) {
          throw new ValidationError("Bosun's helper containers are not backed up");
        }
        key = containerName(target);
        const consistency = choices.consistency ?? getPreferences(deps.db, key).consistency;
        if (target.Id === deps.selfId && (consistency ?? "live") !== "live") {
          throw new SelfProtectionError("Bosun never stops or pauses itself: back it up live");
        }
      }
      const options = { ...getPreferences(deps.db, key), ...stripUndefined(choices) };
      if (remember) rememberPreferences(deps.db, key, choices);
      const target = stack ?? key; // the name: readable in the jobs list and notifications
      const job = deps.queue.enqueue(target, {
        compression: options.compression ?? "gzip",
        consistency: options.consistency ?? "live",
        exclude: options.exclude,
        includeImage: options.includeImage,
        pre: options.pre,
        post: options.post,
        type: "manual",
        ...(targets?.length ? { targets } : {}),
        ...(stack ? { stack: true } : {}),
      }, principalName(c.var.principal));
      auditRequest(c, deps.db, {
        action: "backup.queue",
        target,
        result: "success",
        details: { job: job.id },
      });
      if (c.req.valid("query").wait !== "true") return c.json(job, 202);
      const done = await deps.queue.waitFor(job.id, c.req.raw.signal);
      auditRequest(c, deps.db, {
        action: "backup.create",
        target,
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
        200: json(z.array(Any), "Jobs"),
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
        200: SSE_STREAM,
        ...PROBLEM_RESPONSES,
      },
    }),
    (c) =>
      sse(c, async (send, signal) => {
        // Listening first, so nothing between the snapshot and the updates is missed.
        const updates = relay<BackupJob>(deps.queue, "job", signal);
        for (const job of deps.queue.list(20).reverse()) await send("job", job, String(job.id));
        for await (const job of updates) await send("job", job, String(job.id));
      }),
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/jobs/{id}",
      tags: ["backups"],
      summary: "Cancel a queued or running backup job",
      request: { params: z.object({ id: z.coerce.number().int().min(1) }) },
      responses: { 200: json(Any, "The job"), ...PROBLEM_RESPONSES },
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
        200: json(Any, "Verification report"),
        ...PROBLEM_RESPONSES,
      },
    }),
    async (c) => {
      const { file } = c.req.valid("param");
      await backupSize(deps.vaultDir, file);
      const report = await verifyBackup(deps.vaultDir, file);
      recordVerification(deps.db, file, report);
      if (!report.ok) {
        deps.notifier?.notify({
          type: "verify.failed",
          title: `Verification of ${file} failed`,
          message: report.error ?? "The backup does not match its checksums",
          details: { file, mismatched: report.mismatched.slice(0, 10) },
        });
      }
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
          RestoreBodySchema,
        ),
      },
      responses: {
        200: json(Any, "What was restored"),
        ...PROBLEM_RESPONSES,
      },
    }),
    async (c) => {
      deps.limiter.enforce("restore", c.var.ip, "Too many restores; wait a while");
      const { file } = c.req.valid("param");
      await backupSize(deps.vaultDir, file);
      const { confirm, ...req } = c.req.valid("json");
      const result = await audited(
        c,
        deps.db,
        { action: "backup.restore", target: file },
        async () => {
          // Overwriting a volume a PRD container uses is a destructive act on that container.
          const overwritten = Object.entries(req.volumes ?? {}).filter(([, v]) =>
            v.mode === "overwrite"
          ).map(([name, v]) => v.target ?? name);
          if (overwritten.length) {
            const host = hostEnvironment(deps.db);
            for (const ct of await listContainers(deps.docker)) {
              if (!ct.mounts.some((m) => m.name && overwritten.includes(m.name))) continue;
              requireConfirmation(
                { name: ct.name, environment: effectiveEnvironment(ct.labels, host) },
                "restore over",
                confirm,
              );
            }
          }
          return await restoreBackup(deps.docker, { vaultDir: deps.vaultDir, file, ...req });
        },
      );
      return c.json(result, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/{file}/download",
      tags: ["backups"],
      summary: "Download a backup file (streamed; HTTP Range for resuming)",
      request: { params: FileParam },
      responses: {
        200: { description: "The archive, as an attachment" },
        206: { description: "The requested range" },
        416: { description: "The range is outside the file" },
        ...PROBLEM_RESPONSES,
      },
    }),
    async (c) => {
      const { file } = c.req.valid("param");
      const size = await backupSize(deps.vaultDir, file);
      if (!c.req.header("Range")) {
        auditRequest(c, deps.db, { action: "backup.download", target: file, result: "success" });
      }
      return await sendBackup(c, deps.vaultDir, file, size);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/{file}/preview",
      tags: ["backups"],
      summary: "The manifest and the file tree of each volume and bind, without extracting",
      request: {
        params: FileParam,
        query: z.object({ limit: z.coerce.number().int().min(1).max(50_000).default(5000) }),
      },
      responses: {
        200: json(Any, "Manifest and trees"),
        ...PROBLEM_RESPONSES,
      },
    }),
    async (c) => {
      const { file } = c.req.valid("param");
      await backupSize(deps.vaultDir, file);
      return c.json(await previewBackup(deps.vaultDir, file, c.req.valid("query").limit), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/{file}/links",
      tags: ["backups"],
      summary: "Create a download link usable without a session (for wget on another host)",
      request: {
        params: FileParam,
        body: {
          required: false,
          content: {
            "application/json": {
              schema: z.object({
                expiresInHours: z.number().min(0.01).max(24 * 30).optional(),
              }).strict(),
            },
          },
        },
      },
      responses: {
        201: json(Any, "The link with its token (shown once)"),
        ...PROBLEM_RESPONSES,
      },
    }),
    async (c) => {
      const { file } = c.req.valid("param");
      await backupSize(deps.vaultDir, file);
      const hours = (c.req.valid("json") ?? {}).expiresInHours;
      const ttl = hours === undefined ? deps.linkTtlMs : Math.round(hours * 3_600_000);
      const link = createLink(deps.db, file, ttl, principalName(c.var.principal));
      auditRequest(c, deps.db, {
        action: "backup.link",
        target: file,
        result: "success",
        details: { link: link.id, expiresAt: link.expiresAt },
      });
      return c.json({ ...link, path: `/dl/${link.token}` }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/networks",
      tags: ["backups"],
      summary: "Network backups (definitions: driver, IPAM, options, labels), newest first",
      responses: {
        200: json(z.array(Any), "Network backups"),
        ...PROBLEM_RESPONSES,
      },
    }),
    async (c) => c.json(await listNetworkBackups(deps.vaultDir), 200),
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/networks",
      tags: ["backups"],
      summary: "Back up a network's definition",
      request: { ...body(z.object({ network: z.string().min(1).max(255) }).strict()) },
      responses: {
        201: json(Any, "The network backup"),
        ...PROBLEM_RESPONSES,
      },
    }),
    async (c) => {
      const { network } = c.req.valid("json");
      const backup = await audited(
        c,
        deps.db,
        { action: "backup.network", target: network },
        () =>
          backupNetwork(deps.docker, deps.vaultDir, network, {
            server: deps.serverName(),
            version: deps.version,
          }),
        (b) => ({ file: b.file }),
      );
      return c.json(backup, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/networks/{file}/restore",
      tags: ["backups"],
      summary: "Create a network from its backup (optionally under another name)",
      request: {
        params: FileParam,
        body: {
          required: false,
          content: {
            "application/json": {
              schema: z.object({
                name: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/).optional(),
              }).strict(),
            },
          },
        },
      },
      responses: {
        200: json(z.object({ id: z.string(), name: z.string() }), "The new network"),
        ...PROBLEM_RESPONSES,
      },
    }),
    async (c) => {
      const { file } = c.req.valid("param");
      const result = await audited(
        c,
        deps.db,
        { action: "backup.network-restore", target: file },
        () => restoreNetwork(deps.docker, deps.vaultDir, file, c.req.valid("json")?.name),
        (r) => r,
      );
      return c.json(result, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/networks/{file}/download",
      tags: ["backups"],
      summary: "Download a network backup",
      request: { params: FileParam },
      responses: { 200: { description: "The JSON file" }, ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const { file } = c.req.valid("param");
      await readNetworkBackup(deps.vaultDir, file); // validates the name and that it exists
      const size = (await Deno.stat(`${deps.vaultDir}/${file}`)).size;
      return await sendFile(c, `${deps.vaultDir}/${file}`, {
        name: file,
        contentType: "application/json",
        size,
      });
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/networks/{file}",
      tags: ["backups"],
      summary: "Delete a network backup",
      request: { params: FileParam },
      responses: { 204: { description: "Deleted" }, ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const { file } = c.req.valid("param");
      await audited(
        c,
        deps.db,
        { action: "backup.delete", target: file },
        () => deleteNetworkBackup(deps.vaultDir, file),
      );
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/links",
      tags: ["backups"],
      summary: "Download links (active, and expired in the last week); tokens are never shown",
      responses: {
        200: json(z.array(Any), "Links"),
        ...PROBLEM_RESPONSES,
      },
    }),
    (c) => c.json(listLinks(deps.db), 200),
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/links/{id}",
      tags: ["backups"],
      summary: "Revoke a download link",
      request: { params: z.object({ id: z.uuid() }) },
      responses: { 200: json(Any, "The link"), ...PROBLEM_RESPONSES },
    }),
    (c) => {
      const { id } = c.req.valid("param");
      const link = revokeLink(deps.db, id);
      auditRequest(c, deps.db, {
        action: "backup.link-revoke",
        target: link.file,
        result: "success",
      });
      return c.json(link, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/upload",
      tags: ["backups"],
      summary: "Upload a backup archive (raw body); verified before it is listed",
      request: {
        query: z.object({ name: z.string().max(255).optional() }).strict(),
        body: {
          required: true,
          content: { "application/octet-stream": { schema: z.string().describe("the archive") } },
        },
      },
      responses: {
        201: json(Any, "The stored backup (its sidecar)"),
        ...PROBLEM_RESPONSES,
      },
    }),
    async (c) => {
      deps.limiter.enforce("upload", c.var.ip, "Too many uploads; wait a while");
      const sidecar = await audited(
        c,
        deps.db,
        { action: "backup.upload", target: c.req.valid("query").name ?? "(upload)" },
        () =>
          receiveUpload(deps.vaultDir, c.req.raw, deps.uploads).then((u) => {
            if (u.kind === "archive") recordVerification(deps.db, u.file, { ok: true });
            return u;
          }),
        (u) => ({ file: u.file, kind: u.kind }),
      );
      return c.json(
        sidecar.kind === "archive" ? sidecar.sidecar : { file: sidecar.file, kind: "network" },
        201,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/",
      tags: ["backups"],
      summary: 'Delete every backup in the local vault (confirm must be "delete all backups")',
      request: { ...body(z.object({ confirm: z.literal("delete all backups") }).strict()) },
      responses: {
        200: json(z.object({ deleted: z.number() }), "How many were deleted"),
        ...PROBLEM_RESPONSES,
      },
    }),
    async (c) => {
      const result = await audited(
        c,
        deps.db,
        { action: "backup.delete-all", target: "vault" },
        async () => {
          let deleted = 0;
          for (const b of await listBackups(deps.vaultDir)) {
            await deleteBackup(deps.vaultDir, b.file);
            forgetBackup(deps.db, b.file);
            deleted++;
          }
          for (const n of await listNetworkBackups(deps.vaultDir)) {
            await deleteNetworkBackup(deps.vaultDir, n.file!);
            deleted++;
          }
          return { deleted };
        },
        (r) => r,
      );
      return c.json(result, 200);
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
        async () => {
          await deleteBackup(deps.vaultDir, file);
          forgetBackup(deps.db, file);
        },
      );
      return c.body(null, 204);
    },
  );

  return app;
}
