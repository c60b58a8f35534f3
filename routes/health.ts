/**
 * `/api/health`: the latest status of each container with its reasons, a check on demand,
 * a container's timeline, and log analysis on demand (`/api/containers/{id}/logs/analysis`).
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { DatabaseSync } from "node:sqlite";
import type { DockerClient } from "../lib/docker/client.ts";
import { openContainerLogs, readLastLines } from "../lib/containers/logs.ts";
import { analyseLog } from "../lib/health/log_analysis.ts";
import { type HealthMonitor, latestChecks, timeline } from "../lib/health/monitor.ts";
import { listContainers } from "../lib/docker/containers.ts";
import { ContainerRefSchema } from "../lib/shared/containers.ts";
import type { AppEnv } from "./_env.ts";
import { Any, createRouter, json } from "./_openapi.ts";
import { PROBLEM_RESPONSES } from "./_problem.ts";

/** Builds the health router (mounted under /api/health). */
export function createHealthRoutes(
  deps: { docker: DockerClient; db: DatabaseSync; monitor: HealthMonitor },
): OpenAPIHono<AppEnv> {
  const app = createRouter();
  const current = async () => {
    const names = new Set((await listContainers(deps.docker)).map((c) => c.name));
    return latestChecks(deps.db).filter((c) => names.has(c.container));
  };

  app.openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["health"],
      summary:
        "Each container's latest health (healthy, warning, critical, unknown, stopped) with the reasons",
      responses: { 200: json(Any, "Health"), ...PROBLEM_RESPONSES },
    }),
    async (c) =>
      c.json({ lastRun: deps.monitor.lastRun || null, containers: await current() }, 200),
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/check",
      tags: ["health"],
      summary: "Check every container now",
      responses: { 200: json(Any, "Health"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      await deps.monitor.check();
      return c.json({ lastRun: deps.monitor.lastRun, containers: await current() }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/{container}/timeline",
      tags: ["health"],
      summary: "A container's checks (kept 30 days), oldest first",
      request: {
        params: z.object({ container: ContainerRefSchema }),
        query: z.object({ since: z.coerce.number().int().min(0).optional() }).strict(),
      },
      responses: { 200: json(z.array(Any), "Checks"), ...PROBLEM_RESPONSES },
    }),
    (c) =>
      c.json(
        timeline(
          deps.db,
          c.req.valid("param").container,
          c.req.valid("query").since,
        ) as unknown as Record<
          string,
          unknown
        >[],
        200,
      ),
  );
  return app;
}

/** `/api/containers/{id}/logs/analysis` (mounted under /api/containers). */
export function createLogAnalysisRoutes(deps: { docker: DockerClient }): OpenAPIHono<AppEnv> {
  const app = createRouter();
  app.openapi(
    createRoute({
      method: "get",
      path: "/{id}/logs/analysis",
      tags: ["health"],
      summary:
        "The last lines of a container's log: levels, errors per minute, common errors, suggestions",
      request: {
        params: z.object({ id: ContainerRefSchema }),
        query: z.object({ lines: z.coerce.number().int().min(1).max(5000).default(500) }).strict(),
      },
      responses: { 200: json(Any, "The analysis"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const { lines: count } = c.req.valid("query");
      const logs = await openContainerLogs(deps.docker, c.req.valid("param").id, {
        tail: count,
        timestamps: true,
        signal: c.req.raw.signal,
      });
      const { lines } = await readLastLines(logs.lines, count);
      return c.json({ container: logs.name, ...analyseLog(lines) }, 200);
    },
  );
  return app;
}
