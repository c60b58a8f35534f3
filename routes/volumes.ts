/**
 * `/api/volumes`: list (with users; sizes on request), create, remove (refused while in use,
 * naming the users), bulk remove, prune unused (typed confirmation). Every change is audited.
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { DatabaseSync } from "node:sqlite";
import type { DockerClient } from "../lib/docker/client.ts";
import { createVolume, pruneVolumes } from "../lib/docker/volumes.ts";
import { listVolumeViews, removeUnusedVolume } from "../lib/volumes/volumes.ts";
import {
  listFolder,
  openDownload,
  uploadFile,
  uploadTar,
  viewFile,
} from "../lib/volumes/explorer.ts";
import { PayloadTooLargeError, ValidationError } from "../lib/errors.ts";
import type { RateLimiter } from "../lib/ratelimit/rate_limiter.ts";
import { contentDisposition } from "./_files.ts";
import { cli, volumeCreate } from "../lib/cli/cli.ts";
import { audited } from "./_audit.ts";
import type { AppEnv } from "./_env.ts";
import { Any, body, createRouter, json } from "./_openapi.ts";
import { PROBLEM_RESPONSES } from "./_problem.ts";

const VolumeName = z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,254}$/, "a volume name");
/** Files larger than this are not shown as text. */
const VIEW_MAX_BYTES = 256 * 1024;

/** Builds the volumes router. */
export function createVolumeRoutes(
  deps: {
    docker: DockerClient;
    db: DatabaseSync;
    limiter: RateLimiter;
    /** Largest file or tar accepted by the explorer's upload. */
    uploadMaxBytes: number;
  },
): OpenAPIHono<AppEnv> {
  const app = createRouter();
  const PathQuery = z.object({ path: z.string().max(4096).default("/") }).strict();

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
      return c.json({ ...v, cli: volumeCreate(spec.name, spec) } as Record<string, unknown>, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/{name}",
      tags: ["volumes"],
      summary: "Remove a volume (refused while any container uses it)",
      request: { params: z.object({ name: VolumeName }) },
      responses: { 200: json(Any, "Removed, with the docker command"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const { name } = c.req.valid("param");
      await audited(
        c,
        deps.db,
        { action: "volume.remove", target: name },
        () => removeUnusedVolume(deps.docker, name),
      );
      return c.json({ cli: cli.volumeRemove(name) }, 200);
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
      return c.json({ ...r, cli: cli.volumePrune() }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/{name}/files",
      tags: ["volumes"],
      summary: "A folder of the volume: its entries, folders with the total size under them",
      request: { params: z.object({ name: VolumeName }), query: PathQuery },
      responses: { 200: json(Any, "The folder"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const r = await listFolder(
        deps.docker,
        c.req.valid("param").name,
        c.req.valid("query").path,
        {
          signal: c.req.raw.signal,
        },
      );
      return c.json(r as unknown as Record<string, unknown>, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/{name}/file",
      tags: ["volumes"],
      summary: `A file's text (up to ${VIEW_MAX_BYTES} bytes; otherwise why it is not shown)`,
      request: { params: z.object({ name: VolumeName }), query: PathQuery },
      responses: { 200: json(Any, "The file"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const r = await viewFile(deps.docker, c.req.valid("param").name, c.req.valid("query").path, {
        maxBytes: VIEW_MAX_BYTES,
        signal: c.req.raw.signal,
      });
      return c.json(r as unknown as Record<string, unknown>, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/{name}/download",
      tags: ["volumes"],
      summary: "Download a file, or a folder as a tar stream",
      request: { params: z.object({ name: VolumeName }), query: PathQuery },
      responses: {
        200: {
          description: "The file, or a tar",
          content: { "application/octet-stream": { schema: z.string() } },
        },
        ...PROBLEM_RESPONSES,
      },
    }),
    async (c) => {
      const { name } = c.req.valid("param");
      const d = await openDownload(deps.docker, name, c.req.valid("query").path, {
        signal: c.req.raw.signal,
      });
      const headers: Record<string, string> = {
        "Content-Type": d.kind === "folder" ? "application/x-tar" : "application/octet-stream",
        "Content-Disposition": contentDisposition(d.name),
        "Cache-Control": "no-store",
      };
      if (d.size !== undefined) headers["Content-Length"] = String(d.size);
      return new Response(d.body, { status: 200, headers });
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/{name}/upload",
      tags: ["volumes"],
      summary:
        "Upload into a folder: a file (raw body, filename=…, Content-Length required) or a tar (tar=true; every entry checked)",
      request: {
        params: z.object({ name: VolumeName }),
        query: z.object({
          path: z.string().max(4096).default("/"),
          filename: z.string().min(1).max(255).optional(),
          tar: z.enum(["true", "false"]).default("false"),
        }).strict(),
        body: {
          required: true,
          content: { "application/octet-stream": { schema: z.string().describe("the bytes") } },
        },
      },
      responses: { 201: json(Any, "Uploaded"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      deps.limiter.enforce("upload", c.var.ip, "Too many uploads; wait a while");
      const { name } = c.req.valid("param");
      const q = c.req.valid("query");
      const length = Number(c.req.header("Content-Length") ?? NaN);
      const body = c.req.raw.body;
      if (!body) throw new ValidationError("The upload has no body");
      if (Number.isFinite(length) && length > deps.uploadMaxBytes) {
        await body.cancel();
        throw new PayloadTooLargeError(`Uploads are limited to ${deps.uploadMaxBytes} bytes`);
      }
      const result = await audited(
        c,
        deps.db,
        { action: "volume.upload", target: name },
        (): Promise<Record<string, unknown>> => {
          if (q.tar === "true") {
            return uploadTar(deps.docker, name, q.path, body, {
              maxBytes: deps.uploadMaxBytes,
              signal: c.req.raw.signal,
            });
          }
          if (!q.filename) throw new ValidationError("Name the file: filename=…");
          if (!Number.isFinite(length)) {
            throw new ValidationError("A file upload needs a Content-Length");
          }
          return uploadFile(deps.docker, name, q.path, { name: q.filename, size: length, body }, {
            maxBytes: deps.uploadMaxBytes,
            signal: c.req.raw.signal,
          });
        },
        { path: q.path, filename: q.filename, tar: q.tar === "true" },
      );
      return c.json(result as unknown as Record<string, unknown>, 201);
    },
  );
  return app;
}
