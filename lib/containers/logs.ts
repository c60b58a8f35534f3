/** Reading a container's logs by reference (name or id), TTY or not. */
import type { DockerClient } from "../docker/client.ts";
import { inspectContainer } from "../docker/containers.ts";
import { type LogLine, type LogOptions, streamContainerLogs } from "../docker/logs.ts";
import { containerName } from "./lifecycle.ts";

/** What to read. */
export type ReadLogOptions = Omit<LogOptions, "tty">;

/** Resolves the container, then streams its log lines in batches. */
export async function openContainerLogs(
  docker: DockerClient,
  ref: string,
  options: ReadLogOptions,
): Promise<{ id: string; name: string; lines: AsyncGenerator<LogLine[]> }> {
  const inspect = await inspectContainer(docker, ref, { signal: options.signal });
  const tty = (inspect.Config as { Tty?: boolean }).Tty === true;
  return {
    id: inspect.Id,
    name: containerName(inspect),
    lines: streamContainerLogs(docker, inspect.Id, { ...options, tty }),
  };
}

/** Reads at most `limit` lines (the last ones), reporting whether older ones were dropped. */
export async function readLastLines(
  lines: AsyncGenerator<LogLine[]>,
  limit: number,
): Promise<{ lines: LogLine[]; truncated: boolean }> {
  const kept: LogLine[] = [];
  let truncated = false;
  for await (const batch of lines) {
    kept.push(...batch);
    if (kept.length > limit) {
      kept.splice(0, kept.length - limit);
      truncated = true;
    }
  }
  return { lines: kept, truncated };
}
