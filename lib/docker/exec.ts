/** Exec calls of the Engine API: create, start (hijacked), resize, inspect. */
import type { Duplex } from "node:stream";
import { z } from "zod";
import type { DockerClient } from "./client.ts";

/** What to run in the container. */
export interface ExecConfig {
  cmd: string[];
  user?: string;
  workingDir?: string;
  tty: boolean;
  env?: string[];
  /** Attach standard input (default true; false gives the process an empty stdin). */
  stdin?: boolean;
}

/** `POST /containers/{id}/exec`: resolves with the exec id. */
export async function createExec(
  docker: DockerClient,
  containerId: string,
  config: ExecConfig,
  options: { signal?: AbortSignal } = {},
): Promise<string> {
  const created = await docker.request(
    "POST",
    `/containers/${encodeURIComponent(containerId)}/exec`,
    z.object({ Id: z.string() }),
    {
      body: {
        AttachStdin: config.stdin ?? true,
        AttachStdout: true,
        AttachStderr: true,
        Tty: config.tty,
        Cmd: config.cmd,
        User: config.user ?? "",
        WorkingDir: config.workingDir ?? "",
        Env: config.env ?? [],
      },
      signal: options.signal,
    },
  );
  return created.Id;
}

/** `POST /exec/{id}/start` hijacked: the raw two-way stream of the process. */
export async function startExecAttached(
  docker: DockerClient,
  execId: string,
  options: { tty: boolean; signal?: AbortSignal },
): Promise<{ socket: Duplex; head: Uint8Array }> {
  return await docker.hijack(
    `/exec/${encodeURIComponent(execId)}/start`,
    { Detach: false, Tty: options.tty },
    { signal: options.signal },
  );
}

/** `POST /exec/{id}/resize`. */
export async function resizeExec(
  docker: DockerClient,
  execId: string,
  size: { rows: number; cols: number },
  options: { signal?: AbortSignal } = {},
): Promise<void> {
  await docker.requestEmpty("POST", `/exec/${encodeURIComponent(execId)}/resize`, {
    query: { h: size.rows, w: size.cols },
    signal: options.signal,
  });
}

/** An exec's state. */
export const ExecInspectSchema = z.object({
  Running: z.boolean(),
  ExitCode: z.number().nullable(),
  Pid: z.number().default(0),
}).transform((e) => ({ running: e.Running, exitCode: e.ExitCode, pid: e.Pid }));
/** An exec's state. */
export type ExecInspect = z.output<typeof ExecInspectSchema>;

/** `GET /exec/{id}/json`. */
export function inspectExec(
  docker: DockerClient,
  execId: string,
  options: { signal?: AbortSignal } = {},
): Promise<ExecInspect> {
  return docker.request(
    "GET",
    `/exec/${encodeURIComponent(execId)}/json`,
    ExecInspectSchema,
    options,
  );
}

/** `POST /exec/{id}/start` detached: runs the command without attaching. */
export async function startExecDetached(
  docker: DockerClient,
  execId: string,
  options: { signal?: AbortSignal } = {},
): Promise<void> {
  await docker.requestEmpty("POST", `/exec/${encodeURIComponent(execId)}/start`, {
    body: { Detach: true, Tty: false },
    signal: options.signal,
  });
}
