/** `POST /api/containers/{id}/recreate`: the same configuration, a new container. */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { DatabaseSync } from "node:sqlite";
import { recreateContainer } from "../lib/containers/recreate.ts";
import { SelfProtectionError } from "../lib/containers/self.ts";
import type { DockerClient } from "../lib/docker/client.ts";
import { inspectContainer } from "../lib/docker/containers.ts";
import { ContainerRefSchema } from "../lib/shared/containers.ts";
import { auditRequest } from "./_audit.ts";
import type { AppEnv } from "./_env.ts";
import { createRouter } from "./_openapi.ts";
import { PROBLEM_RESPONSES } from "./_problem.ts";

/** Builds the recreate route (mounted under /api/containers). */
export function createRecreateRoutes(
  deps: { docker: DockerClient; db: DatabaseSync; selfId?: string },
): OpenAPIHono<AppEnv> {
  const app = createRouter();
  app.openapi(
    createRoute({
      method: "post",
      path: "/{id}/recreate",
      tags: ["containers"],
      summary: "Recreate a container from its full configuration (rolled back on failure)",
      request: {
        params: z.object({ id: ContainerRefSchema }),
        query: z.object({
          t: z.coerce.number().int().min(0).max(3600).optional()
            .describe("seconds to wait for the old container to stop (default 10)"),
        }).strict(),
      },
      responses: {
        200: {
          description: "The new container",
          content: {
            "application/json": { schema: z.object({ id: z.string(), name: z.string() }) },
          },
        },
        ...PROBLEM_RESPONSES,
      },
    }),
    async (c) => {
      const ref = c.req.valid("param").id;
      try {
        const before = await inspectContainer(deps.docker, ref);
        if (before.Id === deps.selfId) {
          throw new SelfProtectionError("Bosun does not recreate its own container");
        }
        const result = await recreateContainer(deps.docker, before.Id, {
          stopTimeoutSeconds: c.req.valid("query").t,
        });
        auditRequest(c, deps.db, {
          action: "container.recreate",
          target: result.name,
          result: "success",
          details: { oldId: before.Id, newId: result.id },
        });
        return c.json({ id: result.id, name: result.name }, 200);
      } catch (err) {
        auditRequest(c, deps.db, {
          action: "container.recreate",
          target: ref,
          result: "failure",
          error: (err as Error).message,
        });
        throw err;
      }
    },
  );
  return app;
}
