/** Settings → Security: live sessions and API tokens, with revoke and create. */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { api, ApiError } from "./_api.ts";

interface SessionRow {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  ip: string | null;
  userAgent: string | null;
  current: boolean;
}
interface TokenRow {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}

/** Lists sessions and tokens; creating a token shows its value once. */
export default function SecurityPanel() {
  const sessions = useSignal<SessionRow[]>([]);
  const tokens = useSignal<TokenRow[]>([]);
  const tokenName = useSignal("");
  const created = useSignal("");
  const error = useSignal("");

  const load = async () => {
    try {
      sessions.value = await api<SessionRow[]>("GET", "/api/auth/sessions");
      tokens.value = await api<TokenRow[]>("GET", "/api/auth/tokens");
    } catch (err) {
      error.value = err instanceof ApiError ? err.message : "Bosun did not answer";
    }
  };
  useEffect(() => void load(), []);

  const run = async (action: () => Promise<unknown>) => {
    error.value = "";
    try {
      await action();
      await load();
    } catch (err) {
      error.value = err instanceof ApiError ? err.message : "Bosun did not answer";
    }
  };

  return (
    <div class="security-panel">
      {error.value && <p class="error" role="alert">{error.value}</p>}
      <h3>Sessions</h3>
      <table>
        <thead>
          <tr>
            <th>Signed in</th>
            <th>Last seen</th>
            <th>From</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {sessions.value.map((s) => (
            <tr key={s.id}>
              <td>{s.createdAt.replace("T", " ").slice(0, 19)}</td>
              <td>{s.lastSeenAt.replace("T", " ").slice(0, 19)}</td>
              <td title={s.userAgent ?? ""}>{s.ip ?? "?"}</td>
              <td>
                {s.current ? <span class="muted">this session</span> : (
                  <button
                    type="button"
                    onClick={() => run(() => api("DELETE", `/api/auth/sessions/${s.id}`))}
                  >
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>API tokens</h3>
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          run(async () => {
            const t = await api<{ token: string }>("POST", "/api/auth/tokens", {
              name: tokenName.value,
            });
            created.value = t.token;
            tokenName.value = "";
          });
        }}
      >
        <input
          placeholder="Token name (e.g. backup-script)"
          aria-label="Token name"
          value={tokenName.value}
          onInput={(e) => tokenName.value = e.currentTarget.value}
          required
          maxLength={64}
        />
        <button type="submit">Create token</button>
      </form>
      {created.value && (
        <p class="notice">
          Copy this token now, it is not shown again: <code class="token">{created.value}</code>
        </p>
      )}
      <ul class="tokens">
        {tokens.value.map((t) => (
          <li key={t.id}>
            <strong>{t.name}</strong>{" "}
            <span class="muted">
              created {t.createdAt.slice(0, 10)}, last used {t.lastUsedAt?.slice(0, 10) ?? "never"}
            </span>{" "}
            <button
              type="button"
              onClick={() => run(() => api("DELETE", `/api/auth/tokens/${t.id}`))}
            >
              Revoke
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
