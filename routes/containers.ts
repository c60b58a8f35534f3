/** `/api/containers`: the container list (lifecycle and details come with the containers issue). */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { DockerClient } from "../lib/docker/client.ts";
import { type ContainerSummary, listContainers } from "../lib/docker/containers.ts";
import { type ContainerRow, ContainerRowSchema } from "../lib/shared/containers.ts";
import type { AppEnv } from "./_env.ts";
import { createRouter } from "./_openapi.ts";
import { PROBLEM_RESPONSES, ProblemSchema } from "./_problem.ts";

/** Converts the client's summary into the API's row. */
export function toContainerRow(c: ContainerSummary): ContainerRow {
  return {
    id: c.id,
    name: c.name,
    image: c.image,
    state: c.state,
    status: c.status,
    created: new Date(c.created * 1000).toISOString(),
    ports: c.ports,
  };
}

const ListQuery = z.object({
  all: z.enum(["true", "false"]).default("true").transform((v) => v === "true"),
  state: z.enum(["created", "restarting", "running", "removing", "paused", "exited", "dead"])
    .optional(),
  label: z.string().max(256).regex(/^[^=\s]+(=.*)?$/, "label or label=value").optional(),
}).strict();

/** Builds the containers router. */
export function createContainerRoutes(deps: { docker: DockerClient }): OpenAPIHono<AppEnv> {
  const app = createRouter();
  app.openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["containers"],
      summary: "List containers (all states by default), like `docker ps -a`",
      request: { query: ListQuery },
      responses: {
        200: {
          description: "Containers",
          content: {
            "application/json": { schema: z.array(ContainerRowSchema.openapi("Container")) },
          },
        },
        503: {
          description: "Docker engine unreachable",
          content: { "application/problem+json": { schema: ProblemSchema } },
        },
        ...PROBLEM_RESPONSES,
      },
    }),
    async (c) => {
      const { all, state, label } = c.req.valid("query");
      const filters: Record<string, string[]> = {};
      if (state) filters.status = [state];
      if (label) filters.label = [label];
      const list = await listContainers(deps.docker, {
        all,
        filters: Object.keys(filters).length ? filters : undefined,
        signal: c.req.raw.signal,
      });
      return c.json(list.map(toContainerRow), 200);
    },
  );
  return app;
}
