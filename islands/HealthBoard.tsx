/**
 * The Health page: each container's status (healthy, warning, critical, unknown, stopped)
 * with the reasons, a check on demand, a container's timeline, and log analysis on demand.
 */
import { useSignal } from "@preact/signals";
import { api, problemText } from "./_api.ts";

interface Check {
  container: string;
  ts: number;
  status: string;
  reasons: string[];
  restartCount: number | null;
  exitCode: number | null;
  health: string | null;
}

interface Analysis {
  container: string;
  lines: number;
  levels: Record<string, number>;
  errorsPerMinute: { minute: string; errors: number }[];
  topErrors: { message: string; count: number }[];
  suggestions: { id: string; title: string; advice: string; count: number; example: string }[];
}

/** Props of HealthBoard, rendered on the server. */
export interface HealthBoardProps {
  lastRun: number | null;
  containers: Check[];
}

const when = (t: number) => new Date(t).toISOString().replace("T", " ").slice(0, 19) + " UTC";

/** The health page. */
export default function HealthBoard(props: HealthBoardProps) {
  const checks = useSignal(props.containers);
  const lastRun = useSignal(props.lastRun);
  const busy = useSignal(false);
  const error = useSignal("");
  const history = useSignal<{ container: string; checks: Check[] } | null>(null);
  const analysis = useSignal<Analysis | null>(null);
  const run = async (fn: () => Promise<void>) => {
    error.value = "";
    busy.value = true;
    try {
      await fn();
    } catch (err) {
      error.value = problemText(err);
    } finally {
      busy.value = false;
    }
  };
  return (
    <div class="health">
      <div class="toolbar row">
        <button
          type="button"
          data-check-health
          disabled={busy.value}
          onClick={() =>
            run(async () => {
              const r = await api<HealthBoardProps>("POST", "/api/health/check");
              checks.value = r.containers;
              lastRun.value = r.lastRun;
            })}
        >
          Check now
        </button>
        <span class="muted">Last check: {lastRun.value ? when(lastRun.value) : "not yet"}</span>
      </div>
      {error.value && <p class="error" role="alert">{error.value}</p>}
      <table>
        <thead>
          <tr>
            <th>Container</th>
            <th>Status</th>
            <th>Why</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {checks.value.map((c) => (
            <tr key={c.container} data-health={c.container} data-status={c.status}>
              <td>
                <a href={`/containers/${encodeURIComponent(c.container)}`}>{c.container}</a>
              </td>
              <td>
                <span class={`badge health-${c.status}`}>{c.status}</span>
              </td>
              <td>{c.reasons.join("; ")}</td>
              <td class="actions">
                <button
                  type="button"
                  onClick={() =>
                    run(async () => {
                      history.value = {
                        container: c.container,
                        checks: await api<Check[]>(
                          "GET",
                          `/api/health/${encodeURIComponent(c.container)}/timeline`,
                        ),
                      };
                    })}
                >
                  Timeline
                </button>
                <button
                  type="button"
                  data-analyse
                  onClick={() =>
                    run(async () => {
                      analysis.value = await api<Analysis>(
                        "GET",
                        `/api/containers/${encodeURIComponent(c.container)}/logs/analysis`,
                      );
                    })}
                >
                  Analyse logs
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {checks.value.length === 0 && <p class="muted">No checks yet: press Check now.</p>}
      {history.value && (
        <section data-timeline>
          <h2>{history.value.container}: timeline</h2>
          <ol class="timeline">
            {history.value.checks.filter((c, i, all) => i === 0 || all[i - 1].status !== c.status)
              .map((c) => (
                <li key={c.ts}>
                  {when(c.ts)} <span class={`badge health-${c.status}`}>{c.status}</span>{" "}
                  {c.reasons.join("; ")}
                </li>
              ))}
          </ol>
        </section>
      )}
      {analysis.value && (
        <section data-analysis>
          <h2>{analysis.value.container}: the last {analysis.value.lines} log lines</h2>
          <p>
            {Object.entries(analysis.value.levels).map(([k, v]) => `${v} ${k}`).join(", ")}
          </p>
          {analysis.value.suggestions.length > 0 && (
            <ul class="suggestions">
              {analysis.value.suggestions.map((s) => (
                <li key={s.id} data-suggestion={s.id}>
                  <strong>{s.title}</strong> ({s.count}×): {s.advice}
                  <pre>{s.example}</pre>
                </li>
              ))}
            </ul>
          )}
          {analysis.value.topErrors.length > 0 && (
            <>
              <h3>Most common errors</h3>
              <ol>
                {analysis.value.topErrors.map((e) => (
                  <li key={e.message}>
                    <code>{e.message}</code> × {e.count}
                  </li>
                ))}
              </ol>
            </>
          )}
          {analysis.value.errorsPerMinute.some((m) => m.errors) && (
            <p class="muted">
              Errors per minute:{" "}
              {analysis.value.errorsPerMinute.map((m) => `${m.minute.slice(11)} ${m.errors}`).join(
                " · ",
              )}
            </p>
          )}
        </section>
      )}
    </div>
  );
}
