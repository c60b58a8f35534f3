/** `POST /api/containers/{id}/recreate`: the same configuration, a new container. */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { DatabaseSync } from "node:sqlite";
import { containerName } from "../lib/containers/lifecycle.ts";
import type { ContainerLocks } from "../lib/containers/locks.ts";
import { recreateContainer, type RecreateOptions } from "../lib/containers/recreate.ts";
import {
  CONTAINER_ENVIRONMENTS,
  DESCRIPTION_LABEL,
  effectiveEnvironment,
  requireConfirmation,
} from "../lib/containers/safety.ts";
import { hostEnvironment } from "../lib/settings/settings.ts";
import { ENVIRONMENT_LABEL } from "../lib/shared/updates.ts";
import { SelfProtectionError } from "../lib/containers/self.ts";
import type { DockerClient } from "../lib/docker/client.ts";
import { inspectContainer } from "../lib/docker/containers.ts";
import { ContainerRefSchema } from "../lib/shared/containers.ts";
import { audited } from "./_audit.ts";
import type { AppEnv } from "./_env.ts";
import { body, createRouter, json } from "./_openapi.ts";
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
          confirm: z.string().max(128).optional()
            .describe("for a PRD container: its name, confirming the recreate"),
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
      const { t, confirm } = c.req.valid("query");
      const result = await audited(
        c,
        deps.db,
        { action: "container.recreate", target: ref },
        () => recreateLocked(ref, { stopTimeoutSeconds: t }, confirm, c.req.raw.signal),
        (r) => ({ oldId: r.oldId, newId: r.id, confirmed: Boolean(confirm) }),
      );
      return c.json({ id: result.id, name: result.name }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/{id}/environment",
      tags: ["containers"],
      summary:
        "Set a container's environment tag and description (labels bosun.environment, bosun.description): the container is recreated with them",
      request: {
        params: z.object({ id: ContainerRefSchema }),
        ...body(
          z.object({
            environment: z.enum(CONTAINER_ENVIRONMENTS).nullable()
              .describe("null: inherit the host's environment"),
            description: z.string().max(200).nullable().optional(),
            confirm: z.string().max(128).optional()
              .describe("the container's name, when it is tagged PRD now"),
          }).strict(),
        ),
      },
      responses: {
        200: json(z.object({ id: z.string(), name: z.string() }), "The new container"),
        ...PROBLEM_RESPONSES,
      },
    }),
    async (c) => {
      const ref = c.req.valid("param").id;
      const input = c.req.valid("json");
      const result = await audited(
        c,
        deps.db,
        { action: "container.environment", target: ref },
        async () => {
          const before = await inspectContainer(deps.docker, ref);
          const labels = {
            ...((before.Config as { Labels?: Record<string, string> | null }).Labels ?? {}),
          };
          if (input.environment) labels[ENVIRONMENT_LABEL] = input.environment;
          else delete labels[ENVIRONMENT_LABEL];
          if (input.description) labels[DESCRIPTION_LABEL] = input.description;
          else if (input.description !== undefined) delete labels[DESCRIPTION_LABEL];
          return await recreateLocked(
            ref,
            { changes: { config: { Labels: labels } } },
            input.confirm,
            c.req.raw.signal,
          );
        },
        { environment: input.environment, confirmed: Boolean(input.confirm) },
      );
      return c.json({ id: result.id, name: result.name }, 200);
    },
  );

  /** Recreates under the container's lock; a PRD container needs its name confirmed. */
  async function recreateLocked(
    ref: string,
    options: RecreateOptions,
    confirm: string | undefined,
    signal: AbortSignal,
  ) {
    const before = await inspectContainer(deps.docker, ref);
    if (before.Id === deps.selfId) {
      throw new SelfProtectionError("Bosun does not recreate its own container");
    }
    const labels = (before.Config as { Labels?: Record<string, string> | null }).Labels;
    requireConfirmation(
      {
        name: containerName(before),
        environment: effectiveEnvironment(labels, hostEnvironment(deps.db)),
      },
      "recreate",
      confirm,
    );
    const release = await deps.locks.acquire(containerName(before), "recreate", { signal });
    try {
      const created = await recreateContainer(deps.docker, before.Id, options);
      return { ...created, oldId: before.Id };
    } finally {
      release();
    }
  }
  return app;
}
