/** `/api/system/host` and `/api/system/engine`: host figures and the engine overview. */
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { DockerClient } from "../lib/docker/client.ts";
import { getEngineOverview } from "../lib/host/engine_overview.ts";
import type { HostSampler } from "../lib/host/host_stats.ts";
import { EngineOverviewSchema } from "../lib/shared/engine.ts";
import { HostStatsSchema } from "../lib/shared/host.ts";
import type { AppEnv } from "./_env.ts";
import { createRouter } from "./_openapi.ts";
import { PROBLEM_RESPONSES } from "./_problem.ts";

/** Builds the host routes (mounted under /api/system). */
export function createHostRoutes(
  deps: { docker: DockerClient; host: HostSampler },
): OpenAPIHono<AppEnv> {
  const app = createRouter();
  app.openapi(
    createRoute({
      method: "get",
      path: "/host",
      tags: ["system"],
      summary: "Host CPU %, memory, load and the data directory's disk",
      responses: {
        200: {
          description: "Host figures",
          content: { "application/json": { schema: HostStatsSchema.openapi("HostStats") } },
        },
        ...PROBLEM_RESPONSES,
      },
    }),
    async (c) => c.json(await deps.host.sample(), 200),
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/engine",
      tags: ["system"],
      summary:
        "Engine version, storage driver, counts of containers by state, images, volumes, networks",
      responses: {
        200: {
          description: "Engine overview",
          content: {
            "application/json": { schema: EngineOverviewSchema.openapi("EngineOverview") },
          },
        },
        ...PROBLEM_RESPONSES,
      },
    }),
    async (c) => c.json(await getEngineOverview(deps.docker, { signal: c.req.raw.signal }), 200),
  );
  return app;
}
