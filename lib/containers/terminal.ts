/**
 * Terminal sessions in containers. The engine keeps an exec process running after its
 * attach connection closes, so a session learns its shell's PID (an invisible OSC marker
 * printed before `exec`) and, when the browser leaves, hangs up the shell's process group
 * with a second exec — closing the page really ends the session.
 */
import type { Duplex } from "node:stream";
import type { DockerClient } from "../docker/client.ts";
import {
  createExec,
  inspectExec,
  resizeExec,
  startExecAttached,
  startExecDetached,
} from "../docker/exec.ts";

// deno-lint-ignore no-control-regex
const PID_MARKER = /\x1b\]bosun-pid;(\d+)\x07/;

/** What to open. */
export interface TerminalOptions {
  shell: string;
  user?: string;
  cwd?: string;
  cols: number;
  rows: number;
}

/** The `Cmd` that prints the shell's PID as an OSC sequence, then becomes the shell. */
export function terminalCommand(shell: string): string[] {
  return ["/bin/sh", "-c", `printf '\\033]bosun-pid;%s\\007' $$; exec "$0"`, shell];
}

/** Removes the PID marker from output, returning the PID when it was there. */
export function takePidMarker(text: string): { text: string; pid?: number } {
  const m = PID_MARKER.exec(text);
  if (!m) return { text };
  return { text: text.replace(PID_MARKER, ""), pid: Number(m[1]) };
}

/** One interactive TTY session. */
export class TerminalSession {
  #socket?: Duplex;
  #pid?: number;
  #pending: (string | Uint8Array)[] = [];
  #closed = false;
  #markerBuffer = "";

  private constructor(
    private readonly docker: DockerClient,
    private readonly containerId: string,
    readonly execId: string,
  ) {}

  /** Creates the exec (not yet attached); errors here are plain HTTP errors. */
  static async create(
    docker: DockerClient,
    containerId: string,
    options: TerminalOptions,
  ): Promise<TerminalSession> {
    const execId = await createExec(docker, containerId, {
      cmd: terminalCommand(options.shell),
      user: options.user,
      workingDir: options.cwd,
      tty: true,
      env: ["TERM=xterm-256color"],
    });
    return new TerminalSession(docker, containerId, execId);
  }

  /** Attaches: output goes to `onOutput`; `onExit` gets the exit code when the shell ends. */
  async attach(
    size: { cols: number; rows: number },
    onOutput: (data: Uint8Array) => void,
    onExit: (code: number | null) => void,
  ): Promise<void> {
    const { socket, head } = await startExecAttached(this.docker, this.execId, { tty: true });
    this.#socket = socket;
    const encoder = new TextEncoder();
    const decoder = new TextDecoder();
    const deliver = (chunk: Uint8Array) => {
      if (this.#pid !== undefined) return onOutput(chunk);
      // Until the marker is seen, hold output back so it never reaches the screen.
      this.#markerBuffer += decoder.decode(chunk, { stream: true });
      const found = takePidMarker(this.#markerBuffer);
      if (found.pid !== undefined || this.#markerBuffer.length > 4096) {
        this.#pid = found.pid ?? -1;
        this.#markerBuffer = "";
        if (found.text) onOutput(encoder.encode(found.text));
      }
    };
    if (head.length) deliver(head);
    socket.on("data", (chunk: Uint8Array) => deliver(new Uint8Array(chunk)));
    socket.on("close", async () => {
      const info = await inspectExec(this.docker, this.execId).catch(() => undefined);
      onExit(info?.exitCode ?? null);
    });
    for (const input of this.#pending) socket.write(input);
    this.#pending = [];
    await this.resize(size);
  }

  /** Keystrokes (queued until attached). */
  write(data: string | Uint8Array): void {
    if (this.#closed) return;
    if (this.#socket) this.#socket.write(data);
    else this.#pending.push(data);
  }

  /** Resizes the TTY. */
  async resize(size: { cols: number; rows: number }): Promise<void> {
    await resizeExec(this.docker, this.execId, size).catch(() => {});
  }

  /** Ends the session: drops the connection and hangs up the shell's process group. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket?.destroy();
    const pid = this.#pid;
    if (!pid || pid < 0) return;
    for (const signal of ["HUP", "KILL"]) {
      const info = await inspectExec(this.docker, this.execId).catch(() => undefined);
      if (!info?.running) return;
      await this.#run(`kill -${signal} -${pid} 2>/dev/null || kill -${signal} ${pid}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  async #run(script: string): Promise<void> {
    try {
      const id = await createExec(this.docker, this.containerId, {
        cmd: ["/bin/sh", "-c", script],
        tty: false,
      });
      await startExecDetached(this.docker, id);
    } catch {
      // the container may be gone already
    }
  }
}
