/**
 * Guided creation: `POST /api/containers` (or `?dryRun=true` for the live CLI preview and
 * the checks without creating), and `GET /api/containers/name-check` (is a name free,
 * alternatives, suggested host folders under the storage root).
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { DatabaseSync } from "node:sqlite";
import { runCommand } from "../lib/cli/cli.ts";
import {
  checkCreate,
  createBody,
  CreateSpecSchema,
  NAME_RE,
  suggestNames,
} from "../lib/containers/create.ts";
import type { DockerClient } from "../lib/docker/client.ts";
import {
  createContainer,
  listContainers,
  removeContainer,
  startContainer,
} from "../lib/docker/containers.ts";
import { inspectImage, pullImage } from "../lib/docker/images.ts";
import type { HardwareProfileService } from "../lib/host/hardware.ts";
import { pullAuthFor } from "../lib/images/credentials.ts";
import { parseReference } from "../lib/images/reference.ts";
import type { SecretBox } from "../lib/secrets/secret_box.ts";
import { getSettings } from "../lib/settings/settings.ts";
import { audited } from "./_audit.ts";
import { nextAddress } from "../lib/networks/networks.ts";
import { ValidationError } from "../lib/errors.ts";
import type { AppEnv } from "./_env.ts";
import { Any, body, createRouter, json } from "./_openapi.ts";
import { PROBLEM_RESPONSES } from "./_problem.ts";

/** Builds the creation routes (mounted under /api/containers, before the `{id}` routes). */
export function createContainerCreateRoutes(deps: {
  docker: DockerClient;
  db: DatabaseSync;
  secrets: SecretBox;
  hardware: HardwareProfileService;
}): OpenAPIHono<AppEnv> {
  const app = createRouter();

  app.openapi(
    createRoute({
      method: "get",
      path: "/name-check",
      tags: ["containers"],
      summary:
        "Whether a container name is valid and free, free alternatives, and host folders suggested under the storage root",
      request: { query: z.object({ name: z.string().max(128) }).strict() },
      responses: { 200: json(Any, "The answer"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const { name } = c.req.valid("query");
      const taken = new Set((await listContainers(deps.docker)).map((x) => x.name));
      const valid = NAME_RE.test(name);
      const root = getSettings(deps.db, { serverName: "bosun" }).storageRoot.replace(/\/+$/, "");
      return c.json({
        name,
        valid,
        available: valid && !taken.has(name),
        suggestions: valid && taken.has(name) ? suggestNames(name, taken) : [],
        storagePaths: valid ? [`${root}/${name}/config`, `${root}/${name}/data`] : [],
      }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/",
      tags: ["containers"],
      summary:
        "Create (and start) a container from a plain description with safe defaults; dryRun=true answers the checks and the docker run without creating",
      request: {
        query: z.object({ dryRun: z.enum(["true", "false"]).default("false") }).strict(),
        ...body(CreateSpecSchema),
      },
      responses: {
        200: json(Any, "The dry run: checks and commands"),
        201: json(Any, "Created"),
        ...PROBLEM_RESPONSES,
      },
    }),
    async (c) => {
      const spec = c.req.valid("json");
      const dry = c.req.valid("query").dryRun === "true";
      if (spec.ip === "auto") {
        if (!spec.network) throw new ValidationError("An automatic address needs a network");
        spec.ip = await nextAddress(deps.docker, deps.db, spec.network);
      }
      const hw = await deps.hardware.get();
      const createReq = createBody(spec);
      const cli = {
        simple: runCommand(spec.name, createReq, "simple"),
        intermediate: runCommand(spec.name, createReq, "intermediate"),
        advanced: runCommand(
          spec.name,
          createReq,
          "advanced",
          spec.network ? [{ name: spec.network }] : [],
        ),
      };
      if (dry) {
        const check = await checkCreate(deps.docker, spec, hw.budget).then(
          (r) => ({ ok: true as const, ...r }),
          (err) => ({ ok: false as const, error: (err as Error).message, warnings: [] }),
        );
        const imagePresent = Boolean(await inspectImage(deps.docker, spec.image));
        return c.json({ check, profile: hw.profile, cli, imagePresent }, 200);
      }
      const created = await audited(
        c,
        deps.db,
        { action: "container.create", target: spec.name },
        async () => {
          const check = await checkCreate(deps.docker, spec, hw.budget);
          if (!await inspectImage(deps.docker, spec.image)) {
            await pullImage(deps.docker, spec.image, {
              auth: await pullAuthFor(deps.db, deps.secrets, parseReference(spec.image)),
            });
          }
          const id = await createContainer(deps.docker, spec.name, createReq);
          if (spec.start) {
            try {
              await startContainer(deps.docker, id);
            } catch (err) {
              // Nothing is left half-made: the container that cannot start goes again.
              await removeContainer(deps.docker, id, { force: true }).catch(() => {});
              throw err;
            }
          }
          return { id, ...check };
        },
        { image: spec.image },
      );
      return c.json({
        id: created.id,
        name: spec.name,
        warnings: created.warnings,
        cli: cli.simple,
      }, 201);
    },
  );
  return app;
}
