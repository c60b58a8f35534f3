/**
 * `/api/volumes`: list (with users; sizes on request), create, remove (refused while in use,
 * naming the users), bulk remove, prune unused (typed confirmation). Every change is audited.
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { DatabaseSync } from "node:sqlite";
import type { DockerClient } from "../lib/docker/client.ts";
import { createVolume, pruneVolumes } from "../lib/docker/volumes.ts";
import { listVolumeViews, removeUnusedVolume } from "../lib/volumes/volumes.ts";
import { audited } from "./_audit.ts";
import type { AppEnv } from "./_env.ts";
import { body, createRouter, json } from "./_openapi.ts";
import { PROBLEM_RESPONSES } from "./_problem.ts";

const VolumeName = z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,254}$/, "a volume name");
const Any = z.record(z.string(), z.unknown());

/** Builds the volumes router. */
export function createVolumeRoutes(
  deps: { docker: DockerClient; db: DatabaseSync },
): OpenAPIHono<AppEnv> {
  const app = createRouter();

  app.openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["volumes"],
      summary: "Volumes with the containers using them; sizes=true adds sizes (slower)",
      request: { query: z.object({ sizes: z.enum(["true", "false"]).default("false") }).strict() },
      responses: { 200: json(z.array(Any), "Volumes"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const list = await listVolumeViews(deps.docker, {
        withSizes: c.req.valid("query").sizes === "true",
        signal: c.req.raw.signal,
      });
      return c.json(list as unknown as Record<string, unknown>[], 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/",
      tags: ["volumes"],
      summary: "Create a volume",
      request: body(
        z.object({
          name: VolumeName,
          driver: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_./:-]{0,127}$/).default("local"),
          labels: z.record(z.string().max(255), z.string().max(1024)).default({}),
          options: z.record(z.string().max(255), z.string().max(4096)).default({}),
        }).strict(),
      ),
      responses: { 201: json(Any, "The volume"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const spec = c.req.valid("json");
      const v = await audited(
        c,
        deps.db,
        { action: "volume.create", target: spec.name },
        () => createVolume(deps.docker, spec),
      );
      return c.json(v as unknown as Record<string, unknown>, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/{name}",
      tags: ["volumes"],
      summary: "Remove a volume (refused while any container uses it)",
      request: { params: z.object({ name: VolumeName }) },
      responses: { 204: { description: "Removed" }, ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const { name } = c.req.valid("param");
      await audited(
        c,
        deps.db,
        { action: "volume.remove", target: name },
        () => removeUnusedVolume(deps.docker, name),
      );
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/bulk-remove",
      tags: ["volumes"],
      summary: "Remove several volumes; answers per volume (those in use are refused)",
      request: body(z.object({ names: z.array(VolumeName).min(1).max(500) }).strict()),
      responses: { 200: json(z.array(Any), "Per volume"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const out: { name: string; ok: boolean; error?: string }[] = [];
      for (const name of c.req.valid("json").names) {
        try {
          await audited(
            c,
            deps.db,
            { action: "volume.remove", target: name },
            () => removeUnusedVolume(deps.docker, name),
          );
          out.push({ name, ok: true });
        } catch (err) {
          out.push({ name, ok: false, error: (err as Error).message });
        }
      }
      return c.json(out, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/prune",
      tags: ["volumes"],
      summary: 'Remove every volume no container uses (confirm must be "prune volumes")',
      request: body(z.object({ confirm: z.literal("prune volumes") }).strict()),
      responses: { 200: json(Any, "What went"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const r = await audited(
        c,
        deps.db,
        { action: "volume.prune", target: "unused" },
        () => pruneVolumes(deps.docker),
        (r) => ({ deleted: r.deleted.length, spaceReclaimed: r.spaceReclaimed }),
      );
      return c.json(r, 200);
    },
  );
  return app;
}
