/**
 * A terminal in a running container: xterm.js over a WebSocket to an exec session. Shell,
 * user and working directory are chosen before connecting; leaving the page ends it.
 */
import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import { z } from "zod";

/** Props of Terminal. */
export const TerminalPropsSchema = z.object({ id: z.string(), name: z.string() });
/** Props of Terminal. */
export type TerminalProps = z.infer<typeof TerminalPropsSchema>;

const SHELLS = ["/bin/sh", "/bin/bash", "/bin/ash", "/bin/zsh"];

/** The terminal panel. */
export default function Terminal({ id }: TerminalProps) {
  const shell = useSignal("/bin/sh");
  const user = useSignal("");
  const cwd = useSignal("");
  const status = useSignal<"idle" | "connecting" | "open" | "closed">("idle");
  const message = useSignal("");
  const host = useRef<HTMLDivElement>(null);
  const socket = useRef<WebSocket | null>(null);
  const dispose = useRef<(() => void) | null>(null);

  useEffect(() => () => {
    socket.current?.close();
    dispose.current?.();
  }, []);

  const connect = async () => {
    socket.current?.close();
    dispose.current?.();
    status.value = "connecting";
    message.value = "";
    const [{ Terminal: XTerm }, { FitAddon }] = await Promise.all([
      import("@xterm/xterm"),
      import("@xterm/addon-fit"),
    ]);
    const term = new XTerm({ cursorBlink: true, fontSize: 13, convertEol: false });
    const fit = new FitAddon();
    term.loadAddon(fit);
    host.current!.textContent = "";
    term.open(host.current!);
    fit.fit();
    // xterm.js pauses drawing while the terminal is out of view: bring it into view.
    host.current!.scrollIntoView({ block: "nearest" });
    const q = new URLSearchParams({
      shell: shell.value,
      cols: String(term.cols),
      rows: String(term.rows),
    });
    if (user.value) q.set("user", user.value);
    if (cwd.value) q.set("cwd", cwd.value);
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${scheme}://${location.host}/api/containers/${id}/exec?${q}`);
    ws.binaryType = "arraybuffer";
    socket.current = ws;
    const encoder = new TextEncoder();
    const onData = term.onData((data) => ws.readyState === 1 && ws.send(encoder.encode(data)));
    const onResize = term.onResize(({ cols, rows }) =>
      ws.readyState === 1 && ws.send(JSON.stringify({ type: "resize", cols, rows }))
    );
    const refit = () => fit.fit();
    addEventListener("resize", refit);
    dispose.current = () => {
      onData.dispose();
      onResize.dispose();
      removeEventListener("resize", refit);
      term.dispose();
    };
    ws.onopen = () => {
      status.value = "open";
      term.focus();
    };
    ws.onmessage = (e) => {
      if (typeof e.data !== "string") return term.write(new Uint8Array(e.data));
      const msg = JSON.parse(e.data) as { type: string; code?: number | null; detail?: string };
      if (msg.type === "exit") message.value = `The shell exited (code ${msg.code ?? "?"})`;
      if (msg.type === "error") message.value = msg.detail ?? "The session failed";
    };
    ws.onclose = (e) => {
      status.value = "closed";
      if (!message.value && e.code !== 1000) {
        message.value = "The session could not be opened (is the shell present in the image?)";
      }
    };
  };

  return (
    <div class="terminal-panel">
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          void connect();
        }}
      >
        <select
          aria-label="Shell"
          value={shell.value}
          onChange={(e) => shell.value = e.currentTarget.value}
        >
          {SHELLS.map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
        <input
          aria-label="User"
          placeholder="user (default)"
          value={user.value}
          pattern="[A-Za-z0-9_][A-Za-z0-9_.\-]*(:[A-Za-z0-9_][A-Za-z0-9_.\-]*)?"
          onInput={(e) => user.value = e.currentTarget.value}
        />
        <input
          aria-label="Working directory"
          placeholder="working directory"
          value={cwd.value}
          pattern="/.*"
          onInput={(e) => cwd.value = e.currentTarget.value}
        />
        <button type="submit" disabled={status.value === "connecting"}>
          {status.value === "open" ? "Reconnect" : "Connect"}
        </button>
        {status.value === "open" && (
          <button
            type="button"
            onClick={() => socket.current?.close(1000)}
          >
            Disconnect
          </button>
        )}
        <span
          class={`live ${status.value === "open" ? "on" : ""}`}
          data-terminal-status={status.value}
        >
          {status.value}
        </span>
      </form>
      {message.value && <p class="muted" role="status">{message.value}</p>}
      <div class="terminal" ref={host} />
    </div>
  );
}

/** Props validation used by the island loader. */
export const propsSchema = TerminalPropsSchema;
