/** `/api/containers/{id}/logs`: last lines as JSON, live follow over SSE, download as text. */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { stream } from "hono/streaming";
import { openContainerLogs, readLastLines } from "../lib/containers/logs.ts";
import type { DockerClient } from "../lib/docker/client.ts";
import { ContainerRefSchema } from "../lib/shared/containers.ts";
import type { AppEnv } from "./_env.ts";
import { createRouter, SSE_STREAM } from "./_openapi.ts";
import { PROBLEM_RESPONSES } from "./_problem.ts";
import { sse } from "./_sse.ts";

/** Most lines one JSON answer carries; more is a download. */
export const MAX_LOG_LINES = 10_000;

const TimeSchema = z.string().max(40).transform((v, ctx) => {
  const seconds = /^\d+(\.\d+)?$/.test(v) ? Number(v) : Date.parse(v) / 1000;
  if (!Number.isFinite(seconds)) {
    ctx.addIssue({ code: "custom", message: "unix seconds or an RFC 3339 time" });
    return z.NEVER;
  }
  return seconds;
});

const LogQuery = z.object({
  tail: z.union([z.literal("all"), z.coerce.number().int().min(0).max(1_000_000)]).default(200),
  since: TimeSchema.optional(),
  until: TimeSchema.optional(),
  timestamps: z.enum(["true", "false"]).default("false").transform((v) => v === "true"),
  stream: z.enum(["both", "stdout", "stderr"]).default("both"),
}).strict();

const LogLineSchema = z.object({
  stream: z.enum(["stdout", "stderr"]),
  text: z.string(),
  time: z.string().optional(),
});

function logOptions(q: z.output<typeof LogQuery>, signal: AbortSignal) {
  return {
    tail: q.tail,
    since: q.since,
    until: q.until,
    timestamps: q.timestamps,
    stdout: q.stream !== "stderr",
    stderr: q.stream !== "stdout",
    signal,
  };
}

/** Builds the logs router (mounted under /api/containers). */
export function createContainerLogRoutes(deps: { docker: DockerClient }): OpenAPIHono<AppEnv> {
  const app = createRouter();
  const params = z.object({ id: ContainerRefSchema });

  app.openapi(
    createRoute({
      method: "get",
      path: "/{id}/logs",
      tags: ["containers"],
      summary: `The last lines (tail, since, until; at most ${MAX_LOG_LINES})`,
      request: { params, query: LogQuery },
      responses: {
        200: {
          description: "Lines, oldest first",
          content: {
            "application/json": {
              schema: z.object({ lines: z.array(LogLineSchema), truncated: z.boolean() }),
            },
          },
        },
        ...PROBLEM_RESPONSES,
      },
    }),
    async (c) => {
      const opts = logOptions(c.req.valid("query"), c.req.raw.signal);
      const logs = await openContainerLogs(deps.docker, c.req.valid("param").id, opts);
      return c.json(await readLastLines(logs.lines, MAX_LOG_LINES), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/{id}/logs/stream",
      tags: ["containers"],
      summary: "Follow the logs over SSE: `lines` events (batches), `end` when the output ends",
      request: { params, query: LogQuery },
      responses: {
        200: SSE_STREAM,
        ...PROBLEM_RESPONSES,
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const controller = new AbortController();
      // Resolve the container first so an unknown one is a plain 404, not a stream.
      const logs = await openContainerLogs(deps.docker, c.req.valid("param").id, {
        ...logOptions(q, controller.signal),
        follow: true,
      });
      return sse(c, async (send, signal) => {
        signal.addEventListener("abort", () => controller.abort());
        await send("ready", { id: logs.id, name: logs.name });
        for await (const batch of logs.lines) await send("lines", batch);
        await send("end", { reason: `the output of "${logs.name}" ended (the container stopped)` });
      });
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/{id}/logs/download",
      tags: ["containers"],
      summary: "All (or tail/since) log lines as a text file",
      request: { params, query: LogQuery.extend({ tail: LogQuery.shape.tail.default("all") }) },
      responses: {
        200: { description: "A text/plain attachment, streamed" },
        ...PROBLEM_RESPONSES,
      },
    }),
    async (c) => {
      const controller = new AbortController();
      const logs = await openContainerLogs(
        deps.docker,
        c.req.valid("param").id,
        logOptions(c.req.valid("query"), controller.signal),
      );
      c.header("Content-Type", "text/plain; charset=utf-8");
      c.header("Content-Disposition", `attachment; filename="${logs.name}-logs.txt"`);
      return stream(c, async (out) => {
        out.onAbort(() => controller.abort());
        const encoder = new TextEncoder();
        for await (const batch of logs.lines) {
          const text = batch.map((l) =>
            `${l.time ? l.time + " " : ""}${l.stream === "stderr" ? "[stderr] " : ""}${l.text}\n`
          ).join("");
          await out.write(encoder.encode(text));
        }
      });
    },
  );

  return app;
}
