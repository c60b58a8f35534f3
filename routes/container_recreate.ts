/** `POST /api/containers/{id}/recreate`: the same configuration, a new container. */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { DatabaseSync } from "node:sqlite";
import { containerName } from "../lib/containers/lifecycle.ts";
import type { ContainerLocks } from "../lib/containers/locks.ts";
import {
  type RecreateChanges,
  recreateContainer,
  type RecreateOptions,
} from "../lib/containers/recreate.ts";
import { containerRunCommand } from "../lib/cli/container.ts";
import { SECRET_MASK } from "../lib/containers/details.ts";
import { portConfig, type PortSpec } from "../lib/containers/create.ts";
import { parseDockerSize } from "../lib/shared/format.ts";
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

  app.openapi(
    createRoute({
      method: "put",
      path: "/{id}/config",
      tags: ["containers"],
      summary:
        "Edit a container: environment, published ports, restart policy and limits change, and it is recreated (the old one is put back if the new one fails to start)",
      request: {
        params: z.object({ id: ContainerRefSchema }),
        ...body(
          z.object({
            env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/), z.string().max(32_768))
              .optional().describe("replaces the container's environment variables"),
            ports: z.array(
              z.object({
                container: z.number().int().min(1).max(65535),
                host: z.number().int().min(1).max(65535).optional(),
                protocol: z.enum(["tcp", "udp"]).default("tcp"),
                hostIp: z.string().regex(/^[\d.]+$/).optional(),
              }).strict(),
            ).max(64).optional().describe("replaces the published ports"),
            restart: z.enum(["no", "always", "unless-stopped", "on-failure"]).optional(),
            memory: z.string().regex(/^\d+(\.\d+)?[kmg]?$/i).nullable().optional(),
            cpus: z.number().min(0.01).max(1024).nullable().optional(),
            pidsLimit: z.number().int().min(1).max(1_000_000).nullable().optional(),
            confirm: z.string().max(128).optional(),
          }).strict(),
        ),
      },
      responses: {
        200: json(
          z.object({ id: z.string(), name: z.string(), cli: z.string() }),
          "The new container",
        ),
        ...PROBLEM_RESPONSES,
      },
    }),
    async (c) => {
      const ref = c.req.valid("param").id;
      const input = c.req.valid("json");
      const result = await audited(
        c,
        deps.db,
        { action: "container.edit", target: ref },
        async () => {
          if (input.env) {
            // A value still masked (as the details page shows secrets) keeps the current one.
            const current = Object.fromEntries(
              (((await inspectContainer(deps.docker, ref)).Config as { Env?: string[] | null })
                .Env ?? []).map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]),
            );
            for (const [k, v] of Object.entries(input.env)) {
              if (v === SECRET_MASK && k in current) input.env[k] = current[k];
            }
          }
          return await recreateLocked(
            ref,
            { changes: editChanges(input) },
            input.confirm,
            c.req.raw.signal,
          );
        },
        { fields: Object.keys(input).filter((k) => k !== "confirm") },
      );
      return c.json({
        id: result.id,
        name: result.name,
        cli: await containerRunCommand(deps.docker, result.id, "simple"),
      }, 200);
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

/** The recreate changes of an edit. */
function editChanges(input: {
  env?: Record<string, string>;
  ports?: PortSpec[];
  restart?: string;
  memory?: string | null;
  cpus?: number | null;
  pidsLimit?: number | null;
}): RecreateChanges {
  const config: Record<string, unknown> = {};
  const hostConfig: Record<string, unknown> = {};
  if (input.env) config.Env = Object.entries(input.env).map(([k, v]) => `${k}=${v}`);
  if (input.ports) {
    const { exposed, bindings } = portConfig(input.ports);
    config.ExposedPorts = exposed;
    hostConfig.PortBindings = bindings;
  }
  if (input.restart) hostConfig.RestartPolicy = { Name: input.restart };
  if (input.memory !== undefined) {
    hostConfig.Memory = input.memory ? parseDockerSize(input.memory) : 0;
  }
  if (input.cpus !== undefined) hostConfig.NanoCpus = input.cpus ? Math.round(input.cpus * 1e9) : 0;
  if (input.pidsLimit !== undefined) hostConfig.PidsLimit = input.pidsLimit ?? 0;
  return { config, hostConfig };
}
