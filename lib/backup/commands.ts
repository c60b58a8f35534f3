/**
 * Pre- and post-backup commands: an argv array run in the container with exec (never through
 * a shell Bosun builds), its output kept for the error message, its exit code checked.
 * Commands from container labels are honoured only when the admin has enabled them.
 */
import { demuxFrames } from "../docker/_demux.ts";
import type { DockerClient } from "../docker/client.ts";
import { createExec, inspectExec, startExecAttached } from "../docker/exec.ts";

/** Labels that carry commands (`bosun.backup.pre=pg_dumpall -f /dump/all.sql`). */
export const COMMAND_LABELS = { pre: "bosun.backup.pre", post: "bosun.backup.post" } as const;

/** Longest output kept from a command (the tail, for the error message). */
const OUTPUT_TAIL = 2048;

/**
 * A label's command as argv: a JSON array of strings (`["sh","-c","…"]`), or else the value
 * split on whitespace. There is no quoting: a command that needs it uses the array form.
 */
export function parseCommandLabel(value: string | undefined): string[] | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (text.startsWith("[")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error(`The command label is not a valid JSON array: ${text.slice(0, 80)}`);
    }
    if (!Array.isArray(parsed) || !parsed.length || !parsed.every((a) => typeof a === "string")) {
      throw new Error("The command label must be a non-empty JSON array of strings");
    }
    return parsed;
  }
  return text.split(/\s+/);
}

async function* withHead(head: Uint8Array, rest: AsyncIterable<unknown>) {
  if (head.length) yield head;
  for await (const chunk of rest) yield chunk as Uint8Array;
}

/** Runs `argv` in the container; throws with the exit code and output tail when it fails. */
export async function runCommand(
  docker: DockerClient,
  containerId: string,
  argv: string[],
  options: { signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<{ exitCode: number; output: string }> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 10 * 60_000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const execId = await createExec(docker, containerId, { cmd: argv, tty: false, stdin: false }, {
    signal,
  });
  const { socket, head } = await startExecAttached(docker, execId, { tty: false, signal });
  const onAbort = () => socket.destroy();
  signal.addEventListener("abort", onAbort, { once: true });
  let output = "";
  const decoder = new TextDecoder();
  try {
    for await (const frame of demuxFrames(withHead(head, socket))) {
      output = (output + decoder.decode(frame.data, { stream: true })).slice(-OUTPUT_TAIL);
    }
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
  if (signal.aborted) {
    throw new Error(
      timeout.aborted ? `The command "${argv[0]}" timed out` : "The command was cancelled",
    );
  }
  let state = await inspectExec(docker, execId);
  for (let i = 0; state.running && i < 50; i++) { // the stream can close just before the exit
    await new Promise((r) => setTimeout(r, 100));
    state = await inspectExec(docker, execId);
  }
  const { exitCode } = state;
  if (exitCode !== 0) {
    throw new Error(
      `The command "${argv.join(" ").slice(0, 120)}" exited with ${exitCode}` +
        (output.trim() ? `: ${output.trim().slice(-400)}` : ""),
    );
  }
  return { exitCode: 0, output };
}
