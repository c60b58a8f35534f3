/** `GET /events`: the engine's event stream, as typed events. */
import { z } from "zod";
import { readJsonLines } from "./_json_lines.ts";
import type { DockerClient } from "./client.ts";

/** One engine event, converted to Bosun's camelCase. */
export const EngineEventSchema = z.looseObject({
  Type: z.string(),
  Action: z.string(),
  Actor: z.object({
    ID: z.string().default(""),
    Attributes: z.record(z.string(), z.string()).nullable().default({}),
  }).default({ ID: "", Attributes: {} }),
  time: z.number(),
  timeNano: z.number().optional(),
}).transform((e) => ({
  type: e.Type,
  action: e.Action,
  id: e.Actor.ID,
  name: e.Actor.Attributes?.name ?? "",
  attributes: e.Actor.Attributes ?? {},
  time: e.time,
  timeNano: e.timeNano ?? e.time * 1e9,
}));
/** One engine event. */
export type EngineEvent = z.output<typeof EngineEventSchema>;

/** Options of an events request. */
export interface EventOptions {
  /** Unix seconds; with `until`, the stream ends after the history. */
  since?: number;
  until?: number;
  filters?: Record<string, string[]>;
  signal?: AbortSignal;
}

/** Streams events until `until` passes or `signal` aborts. */
export async function* streamEvents(
  docker: DockerClient,
  options: EventOptions = {},
): AsyncGenerator<EngineEvent> {
  const res = await docker.stream("GET", "/events", {
    query: {
      since: options.since,
      until: options.until,
      filters: options.filters ? JSON.stringify(options.filters) : undefined,
    },
    signal: options.signal,
  });
  try {
    yield* readJsonLines(res, EngineEventSchema);
  } finally {
    res.destroy();
  }
}

/** How far back event history goes by default. */
export const EVENT_HISTORY_SECONDS = 86_400;

/**
 * The events between `since` (default: 24 h ago) and `until` (default: now), oldest first.
 * The engine compares whole seconds, so the default `until` includes the current one.
 */
export async function listEvents(
  docker: DockerClient,
  options: Omit<EventOptions, "since" | "until"> & { since?: number; until?: number } = {},
): Promise<EngineEvent[]> {
  const now = Math.floor(Date.now() / 1000);
  const events: EngineEvent[] = [];
  for await (
    const e of streamEvents(docker, {
      ...options,
      since: options.since ?? now - EVENT_HISTORY_SECONDS,
      until: options.until ?? now + 1,
    })
  ) {
    events.push(e);
  }
  return events;
}
