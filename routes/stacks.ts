/**
 * `/api/stacks`: compose projects (any tool's) with their services; managed stacks' files
 * (validated with line numbers), native deploy as a job with live steps over SSE, start,
 * stop, restart, down (volumes only when asked), and the `docker run` → compose converter.
 * Every change is audited.
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { DatabaseSync } from "node:sqlite";
import { ConflictError, NotFoundError } from "../lib/errors.ts";
import { getSettings, hostEnvironment } from "../lib/settings/settings.ts";
import { templateEnv, TEMPLATES } from "../lib/stacks/templates.ts";
import { parseCompose, parseEnvFile } from "../lib/stacks/compose.ts";
import { convertRun } from "../lib/stacks/converter.ts";
import {
  deleteStackFiles,
  deployStack,
  downStack,
  listStacks,
  readStackFiles,
  saveStackFiles,
  STACK_NAME,
  stackAction,
  type StackDeps,
} from "../lib/stacks/deploy.ts";
import type { StackJobs } from "../lib/stacks/jobs.ts";
import { audited, auditRequest } from "./_audit.ts";
import { cli } from "../lib/cli/cli.ts";
import type { AppEnv } from "./_env.ts";
import { createJobRoutes } from "./_jobs.ts";
import { Any, body, createRouter, json } from "./_openapi.ts";
import { PROBLEM_RESPONSES } from "./_problem.ts";

const Name = z.object({
  name: z.string().regex(STACK_NAME, "a stack name: lower-case letters, digits, '_' and '-'"),
});
const Files = z.object({
  compose: z.string().min(1).max(512 * 1024),
  env: z.string().max(64 * 1024).optional(),
}).strict();

/** Builds the stacks router. */
export function createStackRoutes(
  deps: StackDeps & { db: DatabaseSync; jobs: StackJobs },
): OpenAPIHono<AppEnv> {
  const app = createRouter();

  app.openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["stacks"],
      summary:
        "Compose projects by their project label (Bosun, docker compose, docker-compose), with services and state",
      responses: { 200: json(z.array(Any), "Stacks"), ...PROBLEM_RESPONSES },
    }),
    async (c) => c.json(await listStacks(deps) as unknown as Record<string, unknown>[], 200),
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/validate",
      tags: ["stacks"],
      summary: "Check a compose file: errors (400, with line numbers) or warnings",
      request: body(Files),
      responses: { 200: json(Any, "Valid, with warnings"), ...PROBLEM_RESPONSES },
    }),
    (c) => {
      const f = c.req.valid("json");
      const spec = parseCompose(f.compose, parseEnvFile(f.env ?? ""));
      return c.json({ services: spec.services.map((s) => s.name), warnings: spec.warnings }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/convert",
      tags: ["stacks"],
      summary: "Convert a docker run command into a compose service; unknown flags are reported",
      request: body(z.object({ command: z.string().min(1).max(16 * 1024) }).strict()),
      responses: { 200: json(Any, "The compose text"), ...PROBLEM_RESPONSES },
    }),
    (c) => c.json(convertRun(c.req.valid("json").command), 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/templates",
      tags: ["stacks"],
      summary:
        "The gallery of compose templates, their placeholders with defaults under the storage root",
      responses: { 200: json(z.array(Any), "Templates"), ...PROBLEM_RESPONSES },
    }),
    (c) => {
      const root = getSettings(deps.db, { serverName: "bosun" }).storageRoot.replace(/\/+$/, "");
      return c.json(
        TEMPLATES.map((t) => ({
          ...t,
          variables: t.variables.map((v) => ({
            ...v,
            default: v.default.replaceAll("{root}", root),
          })),
        })) as unknown as Record<string, unknown>[],
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/templates/{id}",
      tags: ["stacks"],
      summary:
        "Make a managed stack from a template: its compose file, and a .env with the placeholders filled in",
      request: {
        params: z.object({ id: z.string().regex(/^[a-z0-9-]{1,64}$/) }),
        ...body(
          z.object({
            stack: z.string().regex(STACK_NAME, "a stack name"),
            values: z.record(z.string().regex(/^[A-Z_][A-Z0-9_]*$/), z.string().max(4096)).default(
              {},
            ),
          }).strict(),
        ),
      },
      responses: { 200: json(Any, "Saved (not deployed)"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const t = TEMPLATES.find((x) => x.id === c.req.valid("param").id);
      if (!t) throw new NotFoundError("No such template");
      const { stack, values } = c.req.valid("json");
      if (await readStackFiles(deps.dataDir, stack)) {
        throw new ConflictError(`A stack named "${stack}" exists`);
      }
      const root = getSettings(deps.db, { serverName: "bosun" }).storageRoot.replace(/\/+$/, "");
      const env = templateEnv(t, values, { root, stack });
      const warnings = await audited(
        c,
        deps.db,
        { action: "stack.from-template", target: stack },
        () => saveStackFiles(deps.dataDir, stack, { compose: t.compose, env }),
        { template: t.id },
      );
      return c.json({ name: stack, compose: t.compose, env, warnings }, 200);
    },
  );

  app.route(
    "/jobs",
    createJobRoutes(deps.jobs, {
      tag: "stacks",
      event: "job",
      missing: "No such deploy",
      summary: "One deploy job with its steps",
      streamSummary: "A deploy's steps over SSE (`job` events)",
    }),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/{name}",
      tags: ["stacks"],
      summary: "A managed stack's compose file and .env",
      request: { params: Name },
      responses: { 200: json(Any, "The files"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const { name } = c.req.valid("param");
      const files = await readStackFiles(deps.dataDir, name);
      if (!files) throw new NotFoundError(`"${name}" is not a stack Bosun manages`);
      return c.json({ name, ...files }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/{name}",
      tags: ["stacks"],
      summary: "Save a stack's compose file (and .env) after checking it; answers its warnings",
      request: { params: Name, ...body(Files) },
      responses: { 200: json(Any, "Saved"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const { name } = c.req.valid("param");
      const warnings = await audited(
        c,
        deps.db,
        { action: "stack.save", target: name },
        () => saveStackFiles(deps.dataDir, name, c.req.valid("json")),
      );
      return c.json({ name, warnings }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/{name}",
      tags: ["stacks"],
      summary: "Forget a managed stack's files (refused while it has containers)",
      request: { params: Name },
      responses: { 204: { description: "Forgotten" }, ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const { name } = c.req.valid("param");
      await audited(
        c,
        deps.db,
        { action: "stack.delete", target: name },
        () => deleteStackFiles(deps, name),
      );
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/{name}/deploy",
      tags: ["stacks"],
      summary: "Deploy or redeploy (only changed services are recreated); follow /jobs/{id}/stream",
      request: { params: Name },
      responses: { 202: json(Any, "The deploy job"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const { name } = c.req.valid("param");
      if (!await readStackFiles(deps.dataDir, name)) {
        throw new NotFoundError(
          `"${name}" is not a stack Bosun manages: save its compose file first`,
        );
      }
      const started = deps.jobs.start(name, (onStep) => deployStack(deps, name, { onStep }));
      if (!started) throw new ConflictError(`"${name}" is already being deployed`);
      started.done.then((job) =>
        auditRequest(c, deps.db, {
          action: "stack.deploy",
          target: name,
          result: job.status === "complete" ? "success" : "failure",
          error: job.error,
          details: { job: job.id },
        })
      );
      return c.json({
        ...started.job,
        cli: cli.stackUp(name, `${deps.dataDir}/stacks/${name}/compose.yaml`),
      } as Record<string, unknown>, 202);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/{name}/down",
      tags: ["stacks"],
      summary: 'Remove a stack\'s containers and networks; volumes too with {"volumes": true}',
      request: {
        params: Name,
        ...body(
          z.object({
            volumes: z.boolean().default(false),
            confirm: z.string().max(128).optional()
              .describe("the stack's name, when it holds PRD containers"),
          }).strict(),
        ),
      },
      responses: { 200: json(Any, "What went"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const { name } = c.req.valid("param");
      const r = await audited(
        c,
        deps.db,
        { action: "stack.down", target: name },
        () =>
          downStack(deps, name, {
            ...c.req.valid("json"),
            hostEnvironment: hostEnvironment(deps.db),
          }),
        { volumes: c.req.valid("json").volumes, confirmed: Boolean(c.req.valid("json").confirm) },
      );
      return c.json({ ...r, cli: cli.stackDown(name, c.req.valid("json").volumes) }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: "post",
      path: "/{name}/{action}",
      tags: ["stacks"],
      summary: "Start, stop or restart every container of a stack",
      request: {
        params: Name.extend({ action: z.enum(["start", "stop", "restart"]) }),
      },
      responses: { 200: json(Any, "Done"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const { name, action } = c.req.valid("param");
      const containers = await audited(
        c,
        deps.db,
        { action: `stack.${action}`, target: name },
        () => stackAction(deps, name, action),
      );
      return c.json({ name, action, containers, cli: cli.stackAction(name, action) }, 200);
    },
  );

  return app;
}
