/**
 * `/api/updates`: update detection (check now, stored results, "N available"), per-container
 * policy and pin, safe update / redeploy / manual rollback of one container, "update all",
 * history, live progress over SSE, and per-registry credentials. Update requests share one
 * named rate limit ("update all" counts once).
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { DatabaseSync } from "node:sqlite";
import type { DockerClient } from "../lib/docker/client.ts";
import { listContainers } from "../lib/docker/containers.ts";
import { NotFoundError } from "../lib/errors.ts";
import { deleteCredentials, listCredentials, saveCredentials } from "../lib/images/credentials.ts";
import type { RateLimiter } from "../lib/ratelimit/rate_limiter.ts";
import type { SecretBox } from "../lib/secrets/secret_box.ts";
import { ContainerRefSchema } from "../lib/shared/containers.ts";
import { UPDATE_POLICIES } from "../lib/shared/updates.ts";
import { updateStates } from "../lib/updates/checker.ts";
import type { UpdateEvent, UpdateService } from "../lib/updates/service.ts";
import { getHistory, setPolicy } from "../lib/updates/store.ts";
import { historyViews } from "../lib/updates/updater.ts";
import { audited, auditRequest } from "./_audit.ts";
import { type AppEnv, principalName } from "./_env.ts";
import { Any, body, createRouter, json, SSE_STREAM } from "./_openapi.ts";
import { PROBLEM_RESPONSES } from "./_problem.ts";
import { relay, sse } from "./_sse.ts";

const Id = z.object({ id: z.coerce.number().int().min(1) });
const Container = z.object({ container: ContainerRefSchema });
const Registry = z.string().max(255).regex(
  /^[a-zA-Z0-9](?:[a-zA-Z0-9.-]*[a-zA-Z0-9])?(?::\d{1,5})?$/,
  "a registry host, e.g. ghcr.io or localhost:5000",
);
const UpdateBody = z.object({
  backup: z.boolean().optional().describe("back up first (default: only PRD-tagged containers)"),
  removeOldImage: z.boolean().default(false),
  confirm: z.string().max(128).optional()
    .describe("for a PRD container: its name, confirming the update"),
}).strict();

/** Builds the updates router. */
export function createUpdateRoutes(deps: {
  docker: DockerClient;
  db: DatabaseSync;
  secrets: SecretBox;
  limiter: RateLimiter;
  updates: UpdateService;
}): OpenAPIHono<AppEnv> {
  const app = createRouter();
  const limit = (ip: string) =>
    deps.limiter.enforce("update", ip, "Too many update requests; wait a while");

  app.openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["updates"],
      summary:
        "The last check's result per container, with policies and the number of updates available",
      responses: { 200: json(Any, "Update states"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const states = updateStates(deps.db, await listContainers(deps.docker));
      return c.json({
        lastCheck: deps.updates.lastCheck || null,
        available: states.filter((s) => s.status === "available" && !s.pinned).length,
        states,
      }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/check",
      tags: ["updates"],
      summary: "Check now (all containers, or the named ones); failing registries are reported",
      request: body(
        z.object({ containers: z.array(ContainerRefSchema).min(1).max(500).optional() }).strict(),
      ),
      responses: { 200: json(Any, "The check's report"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const report = await deps.updates.check(c.req.valid("json"));
      return c.json({
        lastCheck: deps.updates.lastCheck,
        available: report.states.filter((s) => s.status === "available" && !s.pinned).length,
        states: report.states,
        failedRegistries: report.failedRegistries,
      }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/policies/{container}",
      tags: ["updates"],
      summary: "Set a container's automatic update policy (null: its environment's default) or pin",
      request: {
        params: Container,
        ...body(
          z.object({
            policy: z.enum(UPDATE_POLICIES).nullable().optional(),
            pinned: z.boolean().optional(),
          }).strict().refine((b) => b.policy !== undefined || b.pinned !== undefined, {
            message: "set policy, pinned or both",
          }),
        ),
      },
      responses: { 200: json(Any, "Saved"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const { container } = c.req.valid("param");
      const change = c.req.valid("json");
      const names = (await listContainers(deps.docker)).map((x) => x.name);
      if (!names.includes(container)) throw new NotFoundError(`No container "${container}"`);
      await audited(
        c,
        deps.db,
        { action: "update.policy", target: container },
        () => Promise.resolve(setPolicy(deps.db, container, change)),
        change,
      );
      return c.json({ container, ...change }, 200);
    },
  );

  const start = (kind: "update" | "redeploy") =>
    createRoute({
      method: "post",
      path: `/containers/{container}/${kind}`,
      tags: ["updates"],
      summary: kind === "update"
        ? "Update a container safely (pull, recreate, verify, roll back on failure); follow it on /stream"
        : "Redeploy: pull the image again and recreate with the same verification and rollback",
      request: { params: Container, ...body(UpdateBody) },
      responses: { 202: json(Any, "The queued update (history row)"), ...PROBLEM_RESPONSES },
    });
  for (const kind of ["update", "redeploy"] as const) {
    app.openapi(start(kind), async (c) => {
      limit(c.var.ip);
      const { container } = c.req.valid("param");
      const { record } = await audited(
        c,
        deps.db,
        { action: `update.${kind}.queue`, target: container },
        () =>
          deps.updates.enqueue(container, {
            kind,
            ...c.req.valid("json"),
            user: principalName(c.var.principal),
          }),
      );
      return c.json(record as unknown as Record<string, unknown>, 202);
    });
  }

  app.openapi(
    createRoute({
      method: "post",
      path: "/history/{id}/rollback",
      tags: ["updates"],
      summary:
        "Roll a container back to the image it ran before that update (while the image is still here)",
      request: {
        params: Id,
        query: z.object({ confirm: z.string().max(128).optional() }).strict(),
      },
      responses: { 202: json(Any, "The queued rollback"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      limit(c.var.ip);
      const row = getHistory(deps.db, c.req.valid("param").id);
      if (!row) throw new NotFoundError("No such update");
      const { record } = await audited(
        c,
        deps.db,
        { action: "update.rollback.queue", target: row.container },
        () =>
          deps.updates.enqueue(row.container, {
            kind: "rollback",
            rollbackOf: row.id,
            confirm: c.req.valid("query").confirm,
            user: principalName(c.var.principal),
          }),
      );
      return c.json(record as unknown as Record<string, unknown>, 202);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/all",
      tags: ["updates"],
      summary:
        "Update every container with an update, one at a time (SANDBOX → DEV → UAT → untagged → PRD); a PRD container only when its name is in confirm",
      request: body(
        z.object({
          confirm: z.array(z.string().max(128)).max(500).default([])
            .describe("names of the PRD containers to include"),
          backup: z.boolean().optional(),
        })
          .strict(),
      ),
      responses: { 202: json(Any, "The run"), ...PROBLEM_RESPONSES },
    }),
    (c) => {
      limit(c.var.ip);
      const run = deps.updates.updateAll({
        ...c.req.valid("json"),
        user: principalName(c.var.principal),
      });
      auditRequest(c, deps.db, {
        action: "update.all.start",
        target: "all",
        result: "success",
        details: { run: run.id, confirmed: c.req.valid("json").confirm },
      });
      return c.json(run as unknown as Record<string, unknown>, 202);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/runs/{id}",
      tags: ["updates"],
      summary: 'One "update all" run with its summary',
      request: { params: Id },
      responses: { 200: json(Any, "The run"), ...PROBLEM_RESPONSES },
    }),
    (c) => {
      const run = deps.updates.run(c.req.valid("param").id);
      if (!run) throw new NotFoundError("No such run");
      return c.json(run as unknown as Record<string, unknown>, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/history",
      tags: ["updates"],
      summary: "Update history, newest first; canRollBack when the previous image is still here",
      request: {
        query: z.object({
          container: ContainerRefSchema.optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }).strict(),
      },
      responses: { 200: json(z.array(Any), "History"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      return c.json(
        await historyViews(deps.docker, deps.db, c.req.valid("query")) as unknown as Record<
          string,
          unknown
        >[],
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/history/{id}",
      tags: ["updates"],
      summary: "One update with its steps",
      request: { params: Id },
      responses: { 200: json(Any, "The update"), ...PROBLEM_RESPONSES },
    }),
    (c) => {
      const row = getHistory(deps.db, c.req.valid("param").id);
      if (!row) throw new NotFoundError("No such update");
      const { wasRunning: _w, ...r } = row;
      return c.json(r as unknown as Record<string, unknown>, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/stream",
      tags: ["updates"],
      summary: "Live update progress over SSE (`step`, `outcome`, `run` and `check` events)",
      responses: {
        200: SSE_STREAM,
        ...PROBLEM_RESPONSES,
      },
    }),
    (c) =>
      sse(c, async (send, signal) => {
        for await (const event of relay<UpdateEvent>(deps.updates, "update", signal)) {
          const { type, ...data } = event;
          await send(type, data);
        }
      }),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/registries",
      tags: ["updates"],
      summary: "Stored registry logins (passwords never shown)",
      responses: { 200: json(z.array(Any), "Logins"), ...PROBLEM_RESPONSES },
    }),
    (c) => c.json(listCredentials(deps.db) as unknown as Record<string, unknown>[], 200),
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/registries/{registry}",
      tags: ["updates"],
      summary: "Store a registry login, sealed at rest; a blank password keeps the stored one",
      request: {
        params: z.object({ registry: Registry }),
        ...body(
          z.object({
            username: z.string().min(1).max(255),
            password: z.string().max(4096).optional(),
          }).strict(),
        ),
      },
      responses: { 200: json(Any, "Saved"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const { registry } = c.req.valid("param");
      const input = c.req.valid("json");
      const view = await audited(
        c,
        deps.db,
        { action: "registry.credentials.save", target: registry },
        () => saveCredentials(deps.db, deps.secrets, { registry, ...input }),
        { username: input.username },
      );
      return c.json(view as unknown as Record<string, unknown>, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/registries/{registry}",
      tags: ["updates"],
      summary: "Forget a registry login",
      request: { params: z.object({ registry: Registry }) },
      responses: { 204: { description: "Forgotten" }, ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const { registry } = c.req.valid("param");
      await audited(
        c,
        deps.db,
        { action: "registry.credentials.delete", target: registry },
        () => Promise.resolve(deleteCredentials(deps.db, registry)),
      );
      return c.body(null, 204);
    },
  );
  return app;
}
