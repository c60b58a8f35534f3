/** `/api/containers`: list, details, raw inspect, lifecycle actions, bulk, rename, remove. */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { DatabaseSync } from "node:sqlite";
import { hostEnvironment } from "../lib/settings/settings.ts";
import { effectiveEnvironment } from "../lib/containers/safety.ts";
import { containerAction, removeContainerCommand, renameCommand } from "../lib/cli/cli.ts";
import { containerRunCommand } from "../lib/cli/container.ts";
import { maskInspect, toContainerDetails } from "../lib/containers/details.ts";
import {
  containerName,
  removeOne,
  renameOne,
  runBulkAction,
  runContainerAction,
} from "../lib/containers/lifecycle.ts";
import type { DockerClient } from "../lib/docker/client.ts";
import {
  type ContainerSummary,
  inspectContainer,
  listContainers,
} from "../lib/docker/containers.ts";
import {
  BulkResultSchema,
  CONTAINER_ACTIONS,
  ContainerDetailsSchema,
  ContainerNameSchema,
  ContainerRefSchema,
  type ContainerRow,
  ContainerRowSchema,
} from "../lib/shared/containers.ts";
import { audited, auditRequest } from "./_audit.ts";
import type { AppEnv } from "./_env.ts";
import { Any, createRouter, json } from "./_openapi.ts";
import { PROBLEM_RESPONSES, ProblemSchema } from "./_problem.ts";

/** What the container routes need. */
export interface ContainerRouteDeps {
  docker: DockerClient;
  db: DatabaseSync;
  /** Bosun's own container id when it runs in one. */
  selfId?: string;
}

/** Converts the client's summary into the API's row. */
export function toContainerRow(
  c: ContainerSummary,
  selfId?: string,
  hostEnvironment = "",
): ContainerRow {
  return {
    id: c.id,
    name: c.name,
    image: c.image,
    state: c.state,
    status: c.status,
    created: new Date(c.created * 1000).toISOString(),
    ports: c.ports,
    isSelf: c.id === selfId,
    networks: c.networks.map((n) => n.name),
    environment: effectiveEnvironment(c.labels, hostEnvironment),
  };
}

const ListQuery = z.object({
  all: z.enum(["true", "false"]).default("true").transform((v) => v === "true"),
  state: z.enum(["created", "restarting", "running", "removing", "paused", "exited", "dead"])
    .optional(),
  label: z.string().max(256).regex(/^[^=\s]+(=.*)?$/, "label or label=value").optional(),
}).strict();
const RefParam = z.object({ id: ContainerRefSchema });
const Timeout = z.coerce.number().int().min(0).max(3600);
const SignalName = z.string().regex(/^(SIG)?[A-Z0-9]{2,12}$/, "a signal name like SIGTERM");
const CliSchema = z.object({ cli: z.string().describe("the equivalent docker command") });
const Confirm = z.string().max(128).optional()
  .describe("for a PRD container: its name, confirming a destructive action");
const ActionQuery = z.object({
  t: Timeout.optional(),
  signal: SignalName.optional(),
  confirm: Confirm,
}).strict();
const Problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: ProblemSchema } },
});
const ENGINE_ERRORS = {
  404: Problem("No such container"),
  409: Problem("Wrong state, name in use, or Bosun itself"),
  503: Problem("Docker engine unreachable"),
  ...PROBLEM_RESPONSES,
};

/** Builds the containers router. */
export function createContainerRoutes(deps: ContainerRouteDeps): OpenAPIHono<AppEnv> {
  const app = createRouter();
  const ctx = {
    docker: deps.docker,
    selfId: deps.selfId,
    hostEnvironment: () => hostEnvironment(deps.db),
  };

  app.openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["containers"],
      summary: "List containers (all states by default), like `docker ps -a`",
      request: { query: ListQuery },
      responses: {
        200: json(z.array(ContainerRowSchema.openapi("Container")), "Containers"),
        ...ENGINE_ERRORS,
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
      const host = hostEnvironment(deps.db);
      return c.json(list.map((row) => toContainerRow(row, deps.selfId, host)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/bulk",
      tags: ["containers"],
      summary: "Run one action on many containers; answers per container",
      request: {
        body: {
          required: true,
          content: {
            "application/json": {
              schema: z.object({
                action: z.enum(CONTAINER_ACTIONS),
                ids: z.array(ContainerRefSchema).min(1).max(500),
                timeout: Timeout.optional(),
                confirm: z.array(z.string().max(128)).max(500).optional()
                  .describe("names of the PRD containers in the selection, confirmed"),
              }).strict(),
            },
          },
        },
      },
      responses: {
        200: json(z.object({ results: z.array(BulkResultSchema) }), "Each container's outcome"),
        ...ENGINE_ERRORS,
      },
    }),
    async (c) => {
      const { action, ids, timeout, confirm } = c.req.valid("json");
      const results = await runBulkAction(ctx, [...new Set(ids)], action, {
        timeoutSeconds: timeout,
        confirm,
      }, (r) =>
        auditRequest(c, deps.db, {
          action: `container.${action}`,
          target: r.name ?? r.id,
          result: r.ok ? "success" : r.status === 428 ? "denied" : "failure",
          error: r.error,
          details: { bulk: true, confirmed: Boolean(r.name && confirm?.includes(r.name)) },
        }));
      return c.json({ results }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/{id}",
      tags: ["containers"],
      summary: "Readable details of one container (secret-looking env values masked)",
      request: { params: RefParam },
      responses: {
        200: json(ContainerDetailsSchema.openapi("ContainerDetails"), "Details"),
        ...ENGINE_ERRORS,
      },
    }),
    async (c) => {
      const inspect = await inspectContainer(deps.docker, c.req.valid("param").id, {
        signal: c.req.raw.signal,
      });
      return c.json(toContainerDetails(inspect, deps.selfId, hostEnvironment(deps.db)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/{id}/inspect",
      tags: ["containers"],
      summary: "The engine's raw inspect JSON; secrets masked unless reveal=true (audited)",
      request: {
        params: RefParam,
        query: z.object({ reveal: z.enum(["true", "false"]).default("false") }).strict(),
      },
      responses: {
        200: json(Any, "Raw inspect output"),
        ...ENGINE_ERRORS,
      },
    }),
    async (c) => {
      const reveal = c.req.valid("query").reveal === "true";
      const inspect = await inspectContainer(deps.docker, c.req.valid("param").id, {
        signal: c.req.raw.signal,
      });
      if (reveal) {
        auditRequest(c, deps.db, {
          action: "container.inspect.reveal",
          target: inspect.Name.replace(/^\//, ""),
          result: "success",
        });
      }
      return c.json(maskInspect(inspect, reveal), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/{id}/cli",
      tags: ["containers"],
      summary:
        "The docker run that recreates this container: simple (one line), intermediate (every flag on its line) or advanced (a bash script)",
      request: {
        params: RefParam,
        query: z.object({ mode: z.enum(["simple", "intermediate", "advanced"]).default("simple") })
          .strict(),
      },
      responses: { 200: json(CliSchema, "The command"), ...ENGINE_ERRORS },
    }),
    async (c) => {
      const cli = await containerRunCommand(
        deps.docker,
        c.req.valid("param").id,
        c.req.valid("query").mode,
      );
      return c.json({ cli }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/{id}/rename",
      tags: ["containers"],
      summary: "Rename a container",
      request: {
        params: RefParam,
        body: {
          required: true,
          content: {
            "application/json": { schema: z.object({ name: ContainerNameSchema }).strict() },
          },
        },
      },
      responses: { 200: json(CliSchema, "Renamed, with the docker command"), ...ENGINE_ERRORS },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const { name } = c.req.valid("json");
      const previous = await audited(
        c,
        deps.db,
        { action: "container.rename", target: id },
        () => renameOne(ctx, id, name),
        { name },
      );
      return c.json({ cli: renameCommand(previous, name) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/{id}/{action}",
      tags: ["containers"],
      summary: "start, stop (t = seconds), restart (t), kill (signal), pause, unpause",
      request: {
        params: z.object({ id: ContainerRefSchema, action: z.enum(CONTAINER_ACTIONS) }),
        query: ActionQuery,
      },
      responses: { 200: json(CliSchema, "Done, with the docker command"), ...ENGINE_ERRORS },
    }),
    async (c) => {
      const { id, action } = c.req.valid("param");
      const { t, signal, confirm } = c.req.valid("query");
      const before = await audited(
        c,
        deps.db,
        { action: `container.${action}`, target: id },
        () =>
          runContainerAction(ctx, id, action, {
            timeoutSeconds: t,
            signalName: signal,
            signal: c.req.raw.signal,
            confirm,
          }),
        t !== undefined || signal || confirm
          ? { t, signal, confirmed: Boolean(confirm) }
          : undefined,
      );
      return c.json({ cli: containerAction(containerName(before), action, { t, signal }) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/{id}",
      tags: ["containers"],
      summary: "Remove a container (force: kill first; volumes: its anonymous volumes too)",
      request: {
        params: RefParam,
        query: z.object({
          force: z.enum(["true", "false"]).default("false"),
          volumes: z.enum(["true", "false"]).default("false"),
          confirm: Confirm,
        }).strict(),
      },
      responses: { 200: json(CliSchema, "Removed, with the docker command"), ...ENGINE_ERRORS },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const q = c.req.valid("query");
      const options = { force: q.force === "true", volumes: q.volumes === "true" };
      const removed = await audited(
        c,
        deps.db,
        { action: "container.remove", target: id },
        () => removeOne(ctx, id, { ...options, confirm: q.confirm }),
        { ...options, confirmed: Boolean(q.confirm) },
      );
      return c.json({ cli: removeContainerCommand(removed, options) }, 200);
    },
  );

  return app;
}
