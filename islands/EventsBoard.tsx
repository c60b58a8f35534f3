/**
 * Engine events: since/until (default the last 24 h), type and action filters (only the
 * actions of the chosen type), text search, sort by time, live additions over SSE.
 */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { z } from "zod";
import {
  type EngineEventDto,
  EngineEventDtoSchema,
  EVENT_ACTIONS,
  EVENT_TYPES,
} from "../lib/shared/events.ts";
import { api, ApiError } from "./_api.ts";

/** Props of EventsBoard: the first page of history. */
export const EventsBoardPropsSchema = z.object({ events: z.array(EngineEventDtoSchema) });
/** Props of EventsBoard. */
export type EventsBoardProps = z.infer<typeof EventsBoardPropsSchema>;

const MAX_EVENTS = 2000;
const toLocalInput = (d: Date) =>
  new Date(d.getTime() - d.getTimezoneOffset() * 60000)
    .toISOString().slice(0, 16);

/** The events table. */
export default function EventsBoard({ events: initial }: EventsBoardProps) {
  const events = useSignal<EngineEventDto[]>(initial);
  const type = useSignal("");
  const action = useSignal("");
  const text = useSignal("");
  const since = useSignal(toLocalInput(new Date(Date.now() - 86_400_000)));
  const until = useSignal("");
  const newestFirst = useSignal(true);
  const live = useSignal(false);
  const error = useSignal("");

  const load = async () => {
    error.value = "";
    const q = new URLSearchParams();
    if (type.value) q.set("type", type.value);
    if (action.value) q.set("action", action.value);
    if (since.value) q.set("since", String(Math.floor(Date.parse(since.value) / 1000)));
    if (until.value) q.set("until", String(Math.floor(Date.parse(until.value) / 1000)));
    try {
      events.value = await api<EngineEventDto[]>("GET", `/api/events?${q}`);
    } catch (err) {
      error.value = err instanceof ApiError ? err.message : "Bosun did not answer";
    }
  };

  useEffect(() => {
    const source = new EventSource("/api/events/stream");
    source.addEventListener("ready", () => live.value = true);
    source.onerror = () => live.value = false;
    source.addEventListener("engine-event", (e) => {
      if (until.value) return; // a closed window gets no live additions
      const ev = JSON.parse((e as MessageEvent).data) as EngineEventDto;
      events.value = [ev, ...events.value].slice(0, MAX_EVENTS);
    });
    return () => source.close();
  }, []);

  const needle = text.value.trim().toLowerCase();
  const shown = events.value
    .filter((e) => !type.value || e.type === type.value)
    .filter((e) => !action.value || e.action.split(":")[0] === action.value)
    .filter((e) =>
      !needle ||
      [e.name, e.id, e.action, e.type, ...Object.values(e.attributes)].some((v) =>
        v.toLowerCase().includes(needle)
      )
    )
    .sort((a, b) => (newestFirst.value ? -1 : 1) * a.time.localeCompare(b.time));
  const actions = type.value ? EVENT_ACTIONS[type.value as keyof typeof EVENT_ACTIONS] : [];

  return (
    <div class="events-board">
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          void load();
        }}
      >
        <label>
          Since{" "}
          <input
            type="datetime-local"
            value={since.value}
            onInput={(e) => since.value = e.currentTarget.value}
          />
        </label>
        <label>
          Until{" "}
          <input
            type="datetime-local"
            value={until.value}
            onInput={(e) => until.value = e.currentTarget.value}
          />
        </label>
        <select
          aria-label="Type"
          value={type.value}
          onChange={(e) => {
            type.value = e.currentTarget.value;
            action.value = "";
          }}
        >
          <option value="">all types</option>
          {EVENT_TYPES.map((t) => <option key={t} value={t}>{t}</option>)}
        </select>
        <select
          aria-label="Action"
          value={action.value}
          disabled={!type.value}
          onChange={(e) => action.value = e.currentTarget.value}
        >
          <option value="">all actions</option>
          {actions.map((a) => <option key={a} value={a}>{a}</option>)}
        </select>
        <button type="submit">Load</button>
        <input
          type="search"
          placeholder="Search"
          aria-label="Search events"
          value={text.value}
          onInput={(e) => text.value = e.currentTarget.value}
        />
        <span class={live.value ? "live on" : "live"}>{live.value ? "● live" : "○"}</span>
      </form>
      {error.value && <p class="error" role="alert">{error.value}</p>}
      <table>
        <thead>
          <tr>
            <th>
              <button
                type="button"
                class="link"
                onClick={() => newestFirst.value = !newestFirst.value}
                aria-label="Sort by time"
              >
                Time {newestFirst.value ? "↓" : "↑"}
              </button>
            </th>
            <th>Type</th>
            <th>Action</th>
            <th>Object</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((e, i) => (
            <tr key={`${e.time}-${e.id}-${e.action}-${i}`} data-event={e.action}>
              <td>
                <time dateTime={e.time}>{e.time.replace("T", " ").slice(0, 19)}</time>
              </td>
              <td>{e.type}</td>
              <td>
                <span class={`action action-${e.action.split(":")[0]}`}>{e.action}</span>
              </td>
              <td>{e.name || e.id.slice(0, 12)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {shown.length === 0 && <p class="muted">No events match.</p>}
    </div>
  );
}

/** Props validation used by the island loader. */
export const propsSchema = EventsBoardPropsSchema;
