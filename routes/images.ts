/**
 * `/api/images`: list (with the containers using each), remove (force), prune dangling
 * (typed confirmation), tag, and pull as a background job with live layer progress over SSE.
 * Every change is audited.
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { DatabaseSync } from "node:sqlite";
import type { DockerClient } from "../lib/docker/client.ts";
import { pruneDanglingImages, removeImage, tagImage } from "../lib/docker/images.ts";
import { ValidationError } from "../lib/errors.ts";
import { pullAuthFor } from "../lib/images/credentials.ts";
import { assertImageRemovable, listImageViews } from "../lib/images/images.ts";
import type { PullJobs } from "../lib/images/pulls.ts";
import { InvalidReferenceError, parseReference } from "../lib/images/reference.ts";
import type { SecretBox } from "../lib/secrets/secret_box.ts";
import { audited } from "./_audit.ts";
import { cli } from "../lib/cli/cli.ts";
import type { AppEnv } from "./_env.ts";
import { createJobRoutes } from "./_jobs.ts";
import { Any, body, createRouter, json } from "./_openapi.ts";
import { PROBLEM_RESPONSES } from "./_problem.ts";

/** An image id (`sha256:…`, or a prefix) or reference. */
const ImageRef = z.string().min(1).max(512).regex(
  /^[a-zA-Z0-9][a-zA-Z0-9_.\/:@-]*$/,
  "an image id or reference",
);

/** Parses a reference, as a 400 when it is not one. */
function reference(text: string) {
  try {
    return parseReference(text);
  } catch (err) {
    if (err instanceof InvalidReferenceError) throw new ValidationError(err.message);
    throw err;
  }
}

/** Builds the images router. */
export function createImageRoutes(
  deps: { docker: DockerClient; db: DatabaseSync; pulls: PullJobs; secrets: SecretBox },
): OpenAPIHono<AppEnv> {
  const app = createRouter();

  app.openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["images"],
      summary: "Images with their tags, size, and the containers using them",
      responses: { 200: json(z.array(Any), "Images"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const list = await listImageViews(deps.docker, { signal: c.req.raw.signal });
      return c.json(list as unknown as Record<string, unknown>[], 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/{image}",
      tags: ["images"],
      summary:
        "Remove an image (force=true also when stopped containers use it or it has several tags)",
      request: {
        params: z.object({ image: ImageRef }),
        query: z.object({ force: z.enum(["true", "false"]).default("false") }).strict(),
      },
      responses: { 200: json(Any, "Removed, with the docker command"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const { image } = c.req.valid("param");
      const force = c.req.valid("query").force === "true";
      await audited(c, deps.db, { action: "image.remove", target: image }, async () => {
        await assertImageRemovable(deps.docker, image, force);
        await removeImage(deps.docker, image, { force });
      }, { force });
      return c.json({ cli: cli.imageRemove(image, force) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/prune",
      tags: ["images"],
      summary: 'Remove dangling images (confirm must be "prune images")',
      request: body(z.object({ confirm: z.literal("prune images") }).strict()),
      responses: { 200: json(Any, "What went"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const r = await audited(
        c,
        deps.db,
        { action: "image.prune", target: "dangling" },
        () => pruneDanglingImages(deps.docker),
        (r) => ({ deleted: r.deleted.length, spaceReclaimed: r.spaceReclaimed }),
      );
      return c.json({ ...r, cli: cli.imagePrune() }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/{image}/tag",
      tags: ["images"],
      summary: "Tag an image (repository and tag like the Docker CLI)",
      request: {
        params: z.object({ image: ImageRef }),
        ...body(z.object({ reference: z.string().min(1).max(512) }).strict()),
      },
      responses: { 201: json(Any, "Tagged"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const { image } = c.req.valid("param");
      const target = reference(c.req.valid("json").reference);
      if (target.digest) throw new ValidationError("A tag cannot carry a digest");
      const repo = c.req.valid("json").reference.replace(/:[^:/]+$/, "");
      await audited(
        c,
        deps.db,
        { action: "image.tag", target: image },
        () => tagImage(deps.docker, image, repo, target.tag ?? "latest"),
        { reference: `${repo}:${target.tag}` },
      );
      return c.json({
        image,
        reference: `${repo}:${target.tag}`,
        cli: cli.imageTag(image, `${repo}:${target.tag}`),
      }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/pull",
      tags: ["images"],
      summary:
        "Start pulling an image (stored registry credentials are used); follow it on /pulls/{id}/stream",
      request: body(z.object({ reference: z.string().min(1).max(512) }).strict()),
      responses: { 202: json(Any, "The pull job"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const text = c.req.valid("json").reference;
      const ref = reference(text);
      const { job, done } = deps.pulls.start(
        text,
        await pullAuthFor(deps.db, deps.secrets, ref),
      );
      done.then((j) =>
        audited(
          c,
          deps.db,
          { action: "image.pull", target: text },
          () => j.status === "complete" ? Promise.resolve() : Promise.reject(new Error(j.error)),
        )
          .catch(() => {})
      );
      return c.json({ ...job, cli: cli.imagePull(text) } as Record<string, unknown>, 202);
    },
  );

  app.route(
    "/pulls",
    createJobRoutes(deps.pulls, {
      tag: "images",
      event: "pull",
      missing: "No such pull",
      summary: "One pull job",
      streamSummary: "Live progress of a pull over SSE (`pull` events with per-layer progress)",
    }),
  );
  return app;
}
