/**
 * The two read routes every kind of background job has: `GET /{id}` (the job) and
 * `GET /{id}/stream` (its updates over SSE until it finishes). Mount with `app.route`.
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { NotFoundError } from "../lib/errors.ts";
import type { RecentJob, RecentJobs } from "../lib/jobs/recent_jobs.ts";
import type { AppEnv } from "./_env.ts";
import { Any, createRouter, json, SSE_STREAM } from "./_openapi.ts";
import { PROBLEM_RESPONSES } from "./_problem.ts";
import { followJob } from "./_sse.ts";

/** What tells one kind of job's routes apart. */
export interface JobRoutesOptions {
  /** The OpenAPI tag. */
  tag: string;
  /** The SSE event name `jobs` dispatches each update as. */
  event: string;
  /** The 404 detail, e.g. "No such pull". */
  missing: string;
  summary: string;
  streamSummary: string;
}

/** Builds `/{id}` and `/{id}/stream` over `jobs`. */
export function createJobRoutes<T extends RecentJob>(
  jobs: RecentJobs<T>,
  o: JobRoutesOptions,
): OpenAPIHono<AppEnv> {
  const app = createRouter();
  const params = z.object({ id: z.coerce.number().int().min(1) });
  const find = (id: number): T => {
    const job = jobs.get(id);
    if (!job) throw new NotFoundError(o.missing);
    return job;
  };

  app.openapi(
    createRoute({
      method: "get",
      path: "/{id}",
      tags: [o.tag],
      summary: o.summary,
      request: { params },
      responses: { 200: json(Any, "The job"), ...PROBLEM_RESPONSES },
    }),
    (c) => c.json(find(c.req.valid("param").id) as unknown as Record<string, unknown>, 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/{id}/stream",
      tags: [o.tag],
      summary: o.streamSummary,
      request: { params },
      responses: { 200: SSE_STREAM, ...PROBLEM_RESPONSES },
    }),
    (c) => followJob(c, jobs, o.event, find(c.req.valid("param").id)),
  );
  return app;
}
