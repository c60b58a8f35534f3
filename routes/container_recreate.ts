/** `POST /api/containers/{id}/recreate`: the same configuration, a new container. */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { DatabaseSync } from "node:sqlite";
import { containerName } from "../lib/containers/lifecycle.ts";
import type { ContainerLocks } from "../lib/containers/locks.ts";
import { recreateContainer } from "../lib/containers/recreate.ts";
import { SelfProtectionError } from "../lib/containers/self.ts";
import type { DockerClient } from "../lib/docker/client.ts";
import { inspectContainer } from "../lib/docker/containers.ts";
import { ContainerRefSchema } from "../lib/shared/containers.ts";
import { audited } from "./_audit.ts";
import type { AppEnv } from "./_env.ts";
import { createRouter } from "./_openapi.ts";
import { PROBLEM_RESPONSES } from "./_problem.ts";

/** Builds the recreate route (mounted under /api/containers). */
export function createRecreateRoutes(
  deps: { docker: DockerClient; db: DatabaseSync; selfId?: string; locks: ContainerLocks },
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
      const result = await audited(
        c,
        deps.db,
        { action: "container.recreate", target: ref },
        async () => {
          const before = await inspectContainer(deps.docker, ref);
          if (before.Id === deps.selfId) {
            throw new SelfProtectionError("Bosun does not recreate its own container");
          }
          const release = await deps.locks.acquire(containerName(before), "recreate", {
            signal: c.req.raw.signal,
          });
          let created;
          try {
            created = await recreateContainer(deps.docker, before.Id, {
              stopTimeoutSeconds: c.req.valid("query").t,
            });
          } finally {
            release();
          }
          return { ...created, oldId: before.Id };
        },
        (r) => ({ oldId: r.oldId, newId: r.id }),
      );
      return c.json({ id: result.id, name: result.name }, 200);
    },
  );
  return app;
}
