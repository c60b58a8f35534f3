/** `GET /containers/{id}/logs`: demultiplexed (or raw TTY) output split into lines. */
import { demuxFrames, type Frame } from "./_demux.ts";
import type { DockerClient } from "./client.ts";

/** One line of container output. */
export interface LogLine {
  stream: "stdout" | "stderr";
  text: string;
  /** RFC 3339 timestamp when asked for with `timestamps`. */
  time?: string;
}

/** Options of a logs request. */
export interface LogOptions {
  /** The container was created with a TTY: output is one raw stream, not framed. */
  tty: boolean;
  tail?: number | "all";
  /** Unix seconds (may be fractional). */
  since?: number;
  until?: number;
  timestamps?: boolean;
  follow?: boolean;
  stdout?: boolean;
  stderr?: boolean;
  signal?: AbortSignal;
}

/** Streams a container's output as batches of lines (one batch per chunk from the engine). */
export async function* streamContainerLogs(
  docker: DockerClient,
  id: string,
  options: LogOptions,
): AsyncGenerator<LogLine[]> {
  const res = await docker.stream("GET", `/containers/${encodeURIComponent(id)}/logs`, {
    query: {
      stdout: options.stdout ?? true,
      stderr: options.stderr ?? true,
      follow: options.follow ?? false,
      timestamps: options.timestamps ?? false,
      tail: options.tail === undefined ? undefined : String(options.tail),
      since: options.since,
      until: options.until,
    },
    signal: options.signal,
  });
  try {
    const frames: AsyncIterable<Frame> = options.tty ? rawFrames(res) : demuxFrames(res);
    yield* splitLines(frames, options.timestamps ?? false);
  } finally {
    res.destroy();
  }
}

async function* rawFrames(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Frame> {
  for await (const data of chunks) yield { stream: "stdout", data };
}

/** Splits frames into lines per stream, carrying partial lines over; `\r\n` ends a line too. */
export async function* splitLines(
  frames: AsyncIterable<Frame>,
  timestamps: boolean,
): AsyncGenerator<LogLine[]> {
  const partial = { stdout: "", stderr: "" };
  const decoders = { stdout: new TextDecoder(), stderr: new TextDecoder() };
  const toLine = (stream: "stdout" | "stderr", raw: string): LogLine => {
    const text = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (!timestamps) return { stream, text };
    const space = text.indexOf(" ");
    return space > 0
      ? { stream, time: text.slice(0, space), text: text.slice(space + 1) }
      : { stream, text };
  };
  for await (const frame of frames) {
    if (frame.stream === "stdin") continue;
    const stream = frame.stream;
    const text = partial[stream] + decoders[stream].decode(frame.data, { stream: true });
    const parts = text.split("\n");
    partial[stream] = parts.pop()!;
    if (parts.length) yield parts.map((p) => toLine(stream, p));
  }
  const rest: LogLine[] = [];
  for (const stream of ["stdout", "stderr"] as const) {
    const tail = partial[stream] + decoders[stream].decode();
    if (tail) rest.push(toLine(stream, tail));
  }
  if (rest.length) yield rest;
}
