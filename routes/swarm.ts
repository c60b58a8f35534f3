/** `/api/swarm`: services, stacks, tasks and nodes of a swarm manager; scale; remove a stack. */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { DatabaseSync } from "node:sqlite";
import type { DockerClient } from "../lib/docker/client.ts";
import { removeSwarmStack, scaleService, serviceTasks, swarmOverview } from "../lib/swarm/swarm.ts";
import { audited } from "./_audit.ts";
import type { AppEnv } from "./_env.ts";
import { Any, body, createRouter, json } from "./_openapi.ts";
import { PROBLEM_RESPONSES } from "./_problem.ts";

const Ref = z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/, "a service name or id");

/** Builds the swarm router. */
export function createSwarmRoutes(
  deps: { docker: DockerClient; db: DatabaseSync },
): OpenAPIHono<AppEnv> {
  const app = createRouter();

  app.openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["swarm"],
      summary:
        "Whether this engine is a swarm manager; its services (with their stack), stacks and nodes",
      responses: { 200: json(Any, "The swarm"), ...PROBLEM_RESPONSES },
    }),
    async (c) =>
      c.json(
        await swarmOverview(deps.docker, { signal: c.req.raw.signal }) as unknown as Record<
          string,
          unknown
        >,
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/services/{service}/tasks",
      tags: ["swarm"],
      summary: "The tasks of a service",
      request: { params: z.object({ service: Ref }) },
      responses: { 200: json(z.array(Any), "Tasks"), ...PROBLEM_RESPONSES },
    }),
    async (c) =>
      c.json(
        await serviceTasks(deps.docker, c.req.valid("param").service) as unknown as Record<
          string,
          unknown
        >[],
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/services/{service}/scale",
      tags: ["swarm"],
      summary: "Set a replicated service's replicas",
      request: {
        params: z.object({ service: Ref }),
        ...body(z.object({ replicas: z.number().int().min(0).max(1000) }).strict()),
      },
      responses: { 200: json(Any, "Scaled"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const { service } = c.req.valid("param");
      const { replicas } = c.req.valid("json");
      const r = await audited(
        c,
        deps.db,
        { action: "swarm.scale", target: service },
        () => scaleService(deps.docker, service, replicas),
        { replicas },
      );
      return c.json(r as unknown as Record<string, unknown>, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/stacks/{stack}",
      tags: ["swarm"],
      summary: "Remove every service of a swarm stack",
      request: { params: z.object({ stack: Ref }) },
      responses: { 200: json(Any, "Removed services"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const { stack } = c.req.valid("param");
      const removed = await audited(
        c,
        deps.db,
        { action: "swarm.stack.remove", target: stack },
        () => removeSwarmStack(deps.docker, stack),
        (r) => ({ services: r }),
      );
      return c.json({ stack, removed }, 200);
    },
  );
  return app;
}
