/** A minimal Server-Sent Events reader for tests and benchmarks. */

/** Yields each event (with its JSON data) as it arrives, until the stream ends or `signal`. */
export async function* sseEvents(
  res: Response,
  signal?: AbortSignal,
): AsyncGenerator<{ event: string; data: unknown }> {
  const reader = res.body!.getReader();
  signal?.addEventListener("abort", () => reader.cancel().catch(() => {}));
  const decoder = new TextDecoder();
  let buffer = "";
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1] ?? "message";
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (data !== undefined) yield { event, data: JSON.parse(data) };
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

/** Reads SSE events from a response until `until` says stop or the timeout passes. */
export async function readSse(
  res: Response,
  until: (event: string, data: unknown) => boolean,
  timeoutMs = 15_000,
): Promise<{ event: string; data: unknown }[]> {
  const seen: { event: string; data: unknown }[] = [];
  for await (const e of sseEvents(res, AbortSignal.timeout(timeoutMs))) {
    seen.push(e);
    if (until(e.event, e.data)) break;
  }
  return seen;
}
