/**
 * `/api/schedules`: named backup schedules (cron in a time zone, selection, consistency,
 * compression, retention), run now, runs, retention dry run, and a cron preview for the editor.
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { DatabaseSync } from "node:sqlite";
import type { Scheduler } from "../lib/schedules/scheduler.ts";
import {
  assertCron,
  createSchedule,
  deleteSchedule,
  getSchedule,
  listRuns,
  listSchedules,
  nextRuns,
  type Schedule,
  updateSchedule,
} from "../lib/schedules/store.ts";
import { ScheduleSpecSchema } from "../lib/shared/schedules.ts";
import { audited } from "./_audit.ts";
import type { AppEnv } from "./_env.ts";
import { Any, createRouter, json } from "./_openapi.ts";
import { PROBLEM_RESPONSES } from "./_problem.ts";

const Id = z.object({ id: z.coerce.number().int().min(1) });

/** Builds the schedules router. */
export function createScheduleRoutes(
  deps: { db: DatabaseSync; scheduler: Scheduler },
): OpenAPIHono<AppEnv> {
  const app = createRouter();
  const view = (s: Schedule) => deps.scheduler.view(s);

  app.openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["schedules"],
      summary: "Schedules with their next run and last result, and the server's clock",
      responses: { 200: json(Any, "Schedules"), ...PROBLEM_RESPONSES },
    }),
    (c) =>
      c.json({
        serverTime: new Date().toISOString(),
        serverTimeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
        schedules: listSchedules(deps.db).map(view),
      }, 200),
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/preview",
      tags: ["schedules"],
      summary: "The next five run times of a cron expression in a time zone",
      request: {
        body: {
          required: true,
          content: {
            "application/json": {
              schema: z.object({
                cron: z.string().min(1).max(120),
                timezone: z.string().min(1).max(64).default("UTC"),
              }).strict(),
            },
          },
        },
      },
      responses: {
        200: json(z.object({ runs: z.array(z.string()) }), "Runs"),
        ...PROBLEM_RESPONSES,
      },
    }),
    (c) => {
      const { cron, timezone } = c.req.valid("json");
      assertCron(cron, timezone);
      return c.json({ runs: nextRuns(cron, timezone, 5).map((d) => d.toISOString()) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/",
      tags: ["schedules"],
      summary: "Create a schedule",
      request: {
        body: { required: true, content: { "application/json": { schema: ScheduleSpecSchema } } },
      },
      responses: { 201: json(Any, "The schedule"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const spec = c.req.valid("json");
      const s = await audited(
        c,
        deps.db,
        { action: "schedule.create", target: spec.name },
        () => Promise.resolve(createSchedule(deps.db, spec)),
      );
      deps.scheduler.reload(s.id);
      return c.json(view(s), 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/{id}",
      tags: ["schedules"],
      summary: "One schedule with its recent runs",
      request: { params: Id },
      responses: { 200: json(Any, "The schedule"), ...PROBLEM_RESPONSES },
    }),
    (c) => {
      const { id } = c.req.valid("param");
      return c.json({ ...view(getSchedule(deps.db, id)), runs: listRuns(deps.db, id) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/{id}",
      tags: ["schedules"],
      summary: "Replace a schedule's definition",
      request: {
        params: Id,
        body: { required: true, content: { "application/json": { schema: ScheduleSpecSchema } } },
      },
      responses: { 200: json(Any, "The schedule"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const spec = c.req.valid("json");
      const s = await audited(
        c,
        deps.db,
        { action: "schedule.update", target: spec.name },
        () => Promise.resolve(updateSchedule(deps.db, id, spec)),
      );
      deps.scheduler.reload(id);
      return c.json(view(s), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/{id}",
      tags: ["schedules"],
      summary: "Delete a schedule (its backups stay)",
      request: { params: Id },
      responses: { 204: { description: "Deleted" }, ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const name = getSchedule(deps.db, id).name;
      await audited(
        c,
        deps.db,
        { action: "schedule.delete", target: name },
        () => Promise.resolve(deleteSchedule(deps.db, id)),
      );
      deps.scheduler.reload(id);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/{id}/run",
      tags: ["schedules"],
      summary: "Run a schedule now (wait=true answers when the run has finished)",
      request: {
        params: Id,
        query: z.object({ wait: z.enum(["true", "false"]).default("false") }).strict(),
      },
      responses: {
        202: json(Any, "The run has started"),
        200: json(Any, "The finished run"),
        ...PROBLEM_RESPONSES,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const s = getSchedule(deps.db, id);
      const running = deps.scheduler.run(id, "manual");
      await audited(
        c,
        deps.db,
        { action: "schedule.run-now", target: s.name },
        () => Promise.resolve(),
      );
      if (c.req.valid("query").wait !== "true") {
        running.catch(() => {});
        return c.json({ schedule: s.name, started: true }, 202);
      }
      const runId = await running;
      return c.json(listRuns(deps.db, id).find((r) => r.id === runId) ?? {}, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/{id}/retention",
      tags: ["schedules"],
      summary: "Dry run: which of this schedule's backups its retention keeps and deletes, and why",
      request: { params: Id },
      responses: { 200: json(z.array(Any), "Decisions"), ...PROBLEM_RESPONSES },
    }),
    async (c) => c.json(await deps.scheduler.dryRun(c.req.valid("param").id), 200),
  );

  return app;
}
