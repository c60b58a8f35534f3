/** `/api/events`: engine events — history with filters, and a live SSE stream. */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { DockerClient } from "../lib/docker/client.ts";
import { type EngineEvent, listEvents, streamEvents } from "../lib/docker/events.ts";
import {
  type EngineEventDto,
  EngineEventDtoSchema,
  EVENT_ACTIONS,
  EVENT_TYPES,
} from "../lib/shared/events.ts";
import type { AppEnv } from "./_env.ts";
import { createRouter, SSE_STREAM } from "./_openapi.ts";
import { PROBLEM_RESPONSES } from "./_problem.ts";
import { sse } from "./_sse.ts";

const FilterQuery = z.object({
  type: z.enum(EVENT_TYPES as [string, ...string[]]).optional(),
  action: z.string().regex(/^[a-z_]+$/, "an action name").optional(),
}).strict();

const HistoryQuery = FilterQuery.extend({
  since: z.coerce.number().int().min(0).optional(),
  until: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(1000),
}).strict().superRefine((q, ctx) => {
  if (q.action && !q.type) {
    ctx.addIssue({ code: "custom", path: ["action"], message: "needs a type" });
  }
  const valid = q.type ? EVENT_ACTIONS[q.type as keyof typeof EVENT_ACTIONS] : undefined;
  if (q.action && valid && !(valid as readonly string[]).includes(q.action)) {
    ctx.addIssue({
      code: "custom",
      path: ["action"],
      message: `not an action of ${q.type} events (${valid.join(", ")})`,
    });
  }
  if (q.since !== undefined && q.until !== undefined && q.since > q.until) {
    ctx.addIssue({ code: "custom", path: ["since"], message: "is after until" });
  }
});

/** Converts the client's event into the API's. */
export function toEventDto(e: EngineEvent): EngineEventDto {
  return {
    type: e.type,
    action: e.action,
    id: e.id,
    name: e.name,
    attributes: e.attributes,
    time: new Date(Math.floor(e.timeNano / 1e6)).toISOString(),
  };
}

function filtersFor(type?: string, action?: string): Record<string, string[]> | undefined {
  const filters: Record<string, string[]> = {};
  if (type) filters.type = [type];
  if (action) filters.event = [action];
  return Object.keys(filters).length ? filters : undefined;
}

/** Builds the events router. */
export function createEventRoutes(deps: { docker: DockerClient }): OpenAPIHono<AppEnv> {
  const app = createRouter();

  app.openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["events"],
      summary: "Engine events between since and until (default: the last 24 h), newest first",
      request: { query: HistoryQuery },
      responses: {
        200: {
          description: "Events",
          content: { "application/json": { schema: z.array(EngineEventDtoSchema) } },
        },
        ...PROBLEM_RESPONSES,
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const events = (await listEvents(deps.docker, {
        since: q.since,
        until: q.until,
        filters: filtersFor(q.type, q.action),
        signal: c.req.raw.signal,
      })).map(toEventDto);
      return c.json(events.reverse().slice(0, q.limit), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/stream",
      tags: ["events"],
      summary: "Live engine events over Server-Sent Events (event: engine-event)",
      request: { query: FilterQuery },
      responses: {
        200: SSE_STREAM,
        ...PROBLEM_RESPONSES,
      },
    }),
    (c) => {
      const { type, action } = c.req.valid("query");
      return sse(c, async (send, signal) => {
        await send("ready", { since: new Date().toISOString() });
        for await (
          const e of streamEvents(deps.docker, { filters: filtersFor(type, action), signal })
        ) {
          await send("engine-event", toEventDto(e));
        }
        await send("end", { reason: "the engine closed the event stream" });
      });
    },
  );

  return app;
}
