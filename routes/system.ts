/** `/healthz`, `/api/system`, `/api/settings`, `/api/audit`. */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { DatabaseSync } from "node:sqlite";
import { auditStats, clearAudit, listAudit } from "../lib/audit/audit.ts";
import type { EngineMonitor } from "../lib/docker/monitor.ts";
import { getSettings, updateSettings } from "../lib/settings/settings.ts";
import { AUDIT_RESULTS, AuditRecordSchema } from "../lib/shared/audit.ts";
import { HOST_ENVIRONMENTS, SettingsUpdateSchema } from "../lib/shared/settings.ts";
import { auditRequest } from "./_audit.ts";
import type { AppEnv } from "./_env.ts";
import { createRouter } from "./_openapi.ts";
import { PROBLEM_RESPONSES } from "./_problem.ts";

/** What the system routes need. */
export interface SystemRouteDeps {
  db: DatabaseSync;
  engine: EngineMonitor;
  version: string;
  defaultServerName: string;
}

const SettingsDto = z.object({
  serverName: z.string(),
  hostEnvironment: z.enum(HOST_ENVIRONMENTS),
  backupLabelCommands: z.boolean(),
  backupFileMode: z.string(),
  backupFileOwner: z.string(),
  updateCheckHours: z.number(),
  updateStabilizeSeconds: z.number(),
  storageRoot: z.string(),
  healthIntervalSeconds: z.number(),
  cpuWarnPercent: z.number(),
  cpuCriticalPercent: z.number(),
  memoryWarnPercent: z.number(),
  memoryCriticalPercent: z.number(),
}).openapi("Settings");

const AuditQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  before: z.coerce.number().int().min(1).optional(),
  action: z.string().max(64).regex(/^[a-z0-9._-]+$/, "lower-case action name").optional(),
  result: z.enum(AUDIT_RESULTS).optional(),
  target: z.string().max(255).optional(),
  since: z.iso.datetime().transform((s) => Date.parse(s)).optional(),
  until: z.iso.datetime().transform((s) => Date.parse(s)).optional(),
}).strict();

const AuditDto = AuditRecordSchema.openapi("AuditRecord");

/** Builds `/api/system`, `/api/settings` and `/api/audit` routes (mounted under /api). */
export function createSystemRoutes(deps: SystemRouteDeps): OpenAPIHono<AppEnv> {
  const { db } = deps;
  const app = createRouter();
  const settings = () => getSettings(db, { serverName: deps.defaultServerName });

  app.openapi(
    createRoute({
      method: "get",
      path: "/system/status",
      tags: ["system"],
      summary: "Bosun's version, server name and the Docker engine's reachability",
      responses: {
        200: {
          description: "Status",
          content: {
            "application/json": {
              schema: z.object({
                version: z.string(),
                serverName: z.string(),
                docker: z.object({
                  reachable: z.boolean(),
                  host: z.string(),
                  checkedAt: z.string(),
                  error: z.string().optional(),
                }),
              }),
            },
          },
        },
        ...PROBLEM_RESPONSES,
      },
    }),
    (c) => {
      const s = deps.engine.status;
      return c.json({
        version: deps.version,
        serverName: settings().serverName,
        docker: { ...s, checkedAt: new Date(s.checkedAt).toISOString() },
      }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/settings",
      tags: ["settings"],
      summary: "Read settings",
      responses: {
        200: { description: "Settings", content: { "application/json": { schema: SettingsDto } } },
        ...PROBLEM_RESPONSES,
      },
    }),
    (c) => c.json(settings(), 200),
  );

  app.openapi(
    createRoute({
      method: "patch",
      path: "/settings",
      tags: ["settings"],
      summary: "Change settings (only the fields sent)",
      request: {
        body: { required: true, content: { "application/json": { schema: SettingsUpdateSchema } } },
      },
      responses: {
        200: { description: "Settings", content: { "application/json": { schema: SettingsDto } } },
        ...PROBLEM_RESPONSES,
      },
    }),
    (c) => {
      const changes = c.req.valid("json");
      updateSettings(db, changes);
      auditRequest(c, db, { action: "settings.update", result: "success", details: changes });
      return c.json(settings(), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/audit",
      tags: ["audit"],
      summary: "Audit log, newest first",
      request: { query: AuditQuery },
      responses: {
        200: {
          description: "Audit rows",
          content: { "application/json": { schema: z.array(AuditDto) } },
        },
        ...PROBLEM_RESPONSES,
      },
    }),
    (c) => c.json(listAudit(db, c.req.valid("query")), 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/audit/stats",
      tags: ["audit"],
      summary: "Audit counts: total, last 24 hours, last 7 days, failures in the last 7 days",
      responses: {
        200: {
          description: "Counts",
          content: { "application/json": { schema: z.record(z.string(), z.number()) } },
        },
        ...PROBLEM_RESPONSES,
      },
    }),
    (c) => c.json(auditStats(db), 200),
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/audit",
      tags: ["audit"],
      summary:
        'Clear the audit log (confirm must be "clear the audit log"); the clearing is audited',
      request: {
        body: {
          required: true,
          content: {
            "application/json": {
              schema: z.object({ confirm: z.literal("clear the audit log") }).strict(),
            },
          },
        },
      },
      responses: {
        200: {
          description: "How many rows went",
          content: { "application/json": { schema: z.object({ deleted: z.number() }) } },
        },
        ...PROBLEM_RESPONSES,
      },
    }),
    (c) => {
      const deleted = clearAudit(db);
      auditRequest(c, db, { action: "audit.clear", result: "success", details: { deleted } });
      return c.json({ deleted }, 200);
    },
  );

  return app;
}
