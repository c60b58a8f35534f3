/** Stats and processes: `/api/stats` (cache), `/api/containers/{id}/stats|top`. */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { DockerClient } from "../lib/docker/client.ts";
import {
  getContainerStats,
  inspectContainer,
  streamContainerStats,
  topContainer,
} from "../lib/docker/containers.ts";
import { ContainerRefSchema } from "../lib/shared/containers.ts";
import { StatsPointSchema, StatsSnapshotSchema } from "../lib/shared/stats.ts";
import { toStatsPoint } from "../lib/stats/compute.ts";
import type { StatsCache } from "../lib/stats/stats_cache.ts";
import type { AppEnv } from "./_env.ts";
import { createRouter, json, SSE_STREAM } from "./_openapi.ts";
import { PROBLEM_RESPONSES } from "./_problem.ts";
import { sse } from "./_sse.ts";

const params = z.object({ id: ContainerRefSchema });

/** Builds `/api/stats` (mounted at /api/stats). */
export function createStatsRoutes(deps: { stats: StatsCache }): OpenAPIHono<AppEnv> {
  const app = createRouter();
  app.openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["stats"],
      summary: "Cached stats of every running container (refreshed on an interval)",
      responses: {
        200: json(StatsSnapshotSchema.openapi("StatsSnapshot"), "Snapshot"),
        ...PROBLEM_RESPONSES,
      },
    }),
    (c) => c.json(deps.stats.snapshot(), 200),
  );
  app.openapi(
    createRoute({
      method: "post",
      path: "/refresh",
      tags: ["stats"],
      summary: "Refresh the cache now and answer with it",
      responses: { 200: json(StatsSnapshotSchema, "Snapshot"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      await deps.stats.refresh();
      return c.json(deps.stats.snapshot(), 200);
    },
  );
  return app;
}

/** Builds `/{id}/stats`, `/{id}/stats/stream` and `/{id}/top` (mounted at /api/containers). */
export function createContainerStatsRoutes(deps: { docker: DockerClient }): OpenAPIHono<AppEnv> {
  const app = createRouter();
  app.openapi(
    createRoute({
      method: "get",
      path: "/{id}/stats",
      tags: ["containers"],
      summary: "One stats sample (CPU %, memory, network, block I/O, PIDs), like `docker stats`",
      request: { params },
      responses: {
        200: json(StatsPointSchema.openapi("StatsPoint"), "Stats"),
        ...PROBLEM_RESPONSES,
      },
    }),
    async (c) => {
      const sample = await getContainerStats(deps.docker, c.req.valid("param").id, {
        signal: c.req.raw.signal,
      });
      return c.json(toStatsPoint(sample), 200);
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/{id}/stats/stream",
      tags: ["containers"],
      summary: "Live stats over SSE (`stats` events about every second, `end` when it stops)",
      request: { params },
      responses: {
        200: SSE_STREAM,
        ...PROBLEM_RESPONSES,
      },
    }),
    async (c) => {
      const inspect = await inspectContainer(deps.docker, c.req.valid("param").id);
      return sse(c, async (send, signal) => {
        const name = inspect.Name.replace(/^\//, "");
        for await (const sample of streamContainerStats(deps.docker, inspect.Id, { signal })) {
          // A stopped container keeps getting zeroed samples with no read time: stop there.
          if (sample.read.startsWith("0001-01-01")) {
            return await send("end", { reason: `"${name}" is not running` });
          }
          await send("stats", toStatsPoint(sample));
        }
        await send("end", { reason: "the engine ended the stats stream" });
      });
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/{id}/top",
      tags: ["containers"],
      summary: "Processes of a running container (`docker top`)",
      request: { params },
      responses: {
        200: json(
          z.object({ titles: z.array(z.string()), processes: z.array(z.array(z.string())) }),
          "Process table",
        ),
        ...PROBLEM_RESPONSES,
      },
    }),
    async (c) => {
      const top = await topContainer(deps.docker, c.req.valid("param").id, {
        signal: c.req.raw.signal,
      });
      return c.json(top, 200);
    },
  );
  return app;
}
