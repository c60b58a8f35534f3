/**
 * Server-Sent Events over Hono's `streamSSE`: typed `send`, a heartbeat comment every 15 s,
 * the request's abort propagated to the engine call, failures sent as `event: error` with a
 * problem object before the stream ends.
 */
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import type { AppEnv } from "./_env.ts";
import { toProblem } from "./_problem.ts";

/** Sends one event. */
export type SendEvent = (event: string, data: unknown, id?: string) => Promise<void>;

const HEARTBEAT_MS = 15_000;

/** Answers with an SSE stream driven by `run`; `signal` aborts when the client leaves. */
export function sse(
  c: Context<AppEnv>,
  run: (send: SendEvent, signal: AbortSignal) => Promise<void>,
): Response {
  return streamSSE(c, async (stream) => {
    const controller = new AbortController();
    stream.onAbort(() => controller.abort());
    const heartbeat = setInterval(() => {
      stream.write(": heartbeat\n\n").catch(() => controller.abort());
    }, HEARTBEAT_MS);
    const send: SendEvent = (event, data, id) =>
      stream.writeSSE({ event, data: JSON.stringify(data), id });
    try {
      await run(send, controller.signal);
    } catch (err) {
      if (!controller.signal.aborted) {
        const { headers: _headers, ...problem } = toProblem(err);
        if (problem.status >= 500 && problem.type.endsWith("/internal")) {
          c.var.log.error("stream failed", { error: err, path: c.req.path });
        }
        await send("error", { ...problem, requestId: c.var.requestId }).catch(() => {});
      }
    } finally {
      clearInterval(heartbeat);
      controller.abort();
    }
  });
}

/**
 * Yields the `detail` of every `type` event `target` dispatches until `signal` aborts,
 * buffering what arrives while the consumer is sending. It listens from the call on, so a
 * snapshot sent after calling it misses nothing.
 */
export function relay<T>(target: EventTarget, type: string, signal: AbortSignal): AsyncIterable<T> {
  const queue: T[] = [];
  let wake: (() => void) | undefined;
  const on = (e: Event) => {
    queue.push((e as CustomEvent<T>).detail);
    wake?.();
  };
  const onAbort = () => {
    target.removeEventListener(type, on);
    wake?.();
  };
  target.addEventListener(type, on);
  signal.addEventListener("abort", onAbort, { once: true });
  return (async function* () {
    try {
      while (!signal.aborted) {
        if (!queue.length) await new Promise<void>((r) => (wake = r));
        wake = undefined;
        while (queue.length && !signal.aborted) yield queue.shift()!;
      }
    } finally {
      target.removeEventListener(type, on);
      signal.removeEventListener("abort", onAbort);
    }
  })();
}

/**
 * Streams one background job: its current state as `event`, then each update of it that
 * `target` dispatches as `event`, until it is no longer running.
 */
export function followJob<T extends { id: number; status: string }>(
  c: Context<AppEnv>,
  target: EventTarget,
  event: string,
  job: T,
): Response {
  return sse(c, async (send, signal) => {
    const updates = relay<T>(target, event, signal);
    await send(event, job);
    if (job.status !== "running") return;
    for await (const update of updates) {
      if (update.id !== job.id) continue;
      await send(event, update);
      if (update.status !== "running") return;
    }
  });
}
