/**
 * A container's logs: the last lines, then live lines over SSE; auto-scroll only while the
 * reader is at the bottom; ANSI colours as classes on escaped text; search; download.
 */
import { useSignal } from "@preact/signals";
import { useEffect, useLayoutEffect, useRef } from "preact/hooks";
import { z } from "zod";
import { parseAnsi } from "../lib/shared/ansi.ts";

/** Props of LogViewer. */
export const LogViewerPropsSchema = z.object({ id: z.string(), name: z.string() });
/** Props of LogViewer. */
export type LogViewerProps = z.infer<typeof LogViewerPropsSchema>;

interface Line {
  n: number;
  stream: "stdout" | "stderr";
  text: string;
  time?: string;
}

const MAX_LINES = 5000;
const TAIL = 200;

/** The live log view of one container. */
export default function LogViewer({ id, name }: LogViewerProps) {
  const lines = useSignal<Line[]>([]);
  const status = useSignal<"connecting" | "live" | "ended" | "error">("connecting");
  const note = useSignal("");
  const search = useSignal("");
  const showTime = useSignal(false);
  const box = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  let counter = 0;

  useEffect(() => {
    const source = new EventSource(
      `/api/containers/${encodeURIComponent(id)}/logs/stream?tail=${TAIL}&timestamps=true`,
    );
    source.addEventListener("ready", () => {
      lines.value = []; // the tail is sent again after every (re)connect
      status.value = "live";
      note.value = "";
    });
    source.addEventListener("lines", (e) => {
      const batch = JSON.parse((e as MessageEvent).data) as Omit<Line, "n">[];
      const next = lines.value.concat(batch.map((l) => ({ ...l, n: counter++ })));
      lines.value = next.length > MAX_LINES ? next.slice(next.length - MAX_LINES) : next;
    });
    source.addEventListener("end", (e) => {
      status.value = "ended";
      note.value = (JSON.parse((e as MessageEvent).data) as { reason: string }).reason;
      source.close();
    });
    source.addEventListener("error", (e) => {
      const data = (e as MessageEvent).data;
      if (typeof data === "string") {
        status.value = "error";
        note.value = (JSON.parse(data) as { detail: string }).detail;
        source.close();
      } else if (status.value === "live") {
        status.value = "connecting";
      }
    });
    return () => source.close();
  }, [id]);

  useLayoutEffect(() => {
    if (atBottom.current && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines.value]);

  const needle = search.value.trim().toLowerCase();
  const shown = needle
    ? lines.value.filter((l) => l.text.toLowerCase().includes(needle))
    : lines.value;
  const label = {
    connecting: "○ connecting",
    live: "● live",
    ended: "■ ended",
    error: "✕ error",
  }[status.value];

  return (
    <div class="log-viewer">
      <div class="toolbar">
        <input
          type="search"
          placeholder="Search in these lines"
          aria-label="Search logs"
          value={search.value}
          onInput={(e) => search.value = e.currentTarget.value}
        />
        <label class="inline">
          <input
            type="checkbox"
            checked={showTime.value}
            onChange={(e) => showTime.value = e.currentTarget.checked}
          />{" "}
          timestamps
        </label>
        <span class={`live ${status.value === "live" ? "on" : ""}`} data-log-status={status.value}>
          {label}
        </span>
        <a
          href={`/api/containers/${encodeURIComponent(id)}/logs/download?timestamps=true`}
          download={`${name}-logs.txt`}
        >
          Download
        </a>
      </div>
      {note.value && <p class="muted" role="status">{note.value}</p>}
      <div
        class="log-lines"
        ref={box}
        role="log"
        aria-live="off"
        onScroll={(e) => {
          const el = e.currentTarget;
          atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
        }}
      >
        {shown.map((l) => (
          <div key={l.n} class={`log-line ${l.stream}`}>
            {showTime.value && l.time && <span class="log-time">{l.time.slice(0, 23)}</span>}
            {parseAnsi(l.text).map((s, i) => (
              <span
                key={i}
                class={[
                  s.fg !== undefined ? `fg-${s.fg}` : "",
                  s.bg !== undefined ? `bg-${s.bg}` : "",
                  s.bold ? "bold" : "",
                ].join(" ").trim() || undefined}
              >
                {s.text}
              </span>
            ))}
          </div>
        ))}
        {shown.length === 0 && <p class="muted">{needle ? "No line matches." : "No output yet."}
        </p>}
      </div>
    </div>
  );
}

/** Props validation used by the island loader. */
export const propsSchema = LogViewerPropsSchema;
