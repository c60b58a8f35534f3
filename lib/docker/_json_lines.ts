/** Splits a byte stream into JSON values, one per line (events, pull progress). */
import type { z } from "zod";
import { DockerResponseError } from "./errors.ts";

/** Yields each non-empty line of `chunks` parsed by `schema`. */
export async function* readJsonLines<S extends z.ZodType>(
  chunks: AsyncIterable<Uint8Array>,
  schema: S,
): AsyncGenerator<z.output<S>> {
  const decoder = new TextDecoder();
  let buffered = "";
  for await (const chunk of chunks) {
    buffered += decoder.decode(chunk, { stream: true });
    let newline;
    while ((newline = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (line) yield parseLine(line, schema);
    }
  }
  buffered += decoder.decode();
  if (buffered.trim()) yield parseLine(buffered.trim(), schema);
}

function parseLine<S extends z.ZodType>(line: string, schema: S): z.output<S> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new DockerResponseError(`The engine sent a line that is not JSON: ${line.slice(0, 80)}`);
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new DockerResponseError(`The engine sent an unexpected line: ${result.error.message}`);
  }
  return result.data;
}
