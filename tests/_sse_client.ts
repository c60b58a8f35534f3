/** A minimal Server-Sent Events reader for tests. */

/** Reads SSE events from a response until `until` says stop or the timeout passes. */
export async function readSse(
  res: Response,
  until: (event: string, data: unknown) => boolean,
  timeoutMs = 15_000,
): Promise<{ event: string; data: unknown }[]> {
  const seen: { event: string; data: unknown }[] = [];
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  const deadline = setTimeout(() => reader.cancel(), timeoutMs);
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1] ?? "message";
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (data === undefined) continue;
        const parsed = JSON.parse(data);
        seen.push({ event, data: parsed });
        if (until(event, parsed)) return seen;
      }
    }
    return seen;
  } finally {
    clearTimeout(deadline);
    await reader.cancel().catch(() => {});
  }
}
