/**
 * The Networks page: networks with subnet, gateway and their containers; a sizing wizard
 * (hardware profile, recommended size, table of sizes, acknowledgment for larger ones);
 * oversized warnings (dismiss or recreate smaller); per network: reservations, the IP map,
 * connect with an automatic, reserved or static address, disconnect; remove and prune.
 */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { api, problemText, useActions } from "./_api.ts";

interface NetworkView {
  id: string;
  name: string;
  driver: string;
  scope: string;
  builtin: boolean;
  subnet: string | null;
  gateway: string | null;
  users: { id: string; name: string; state: string; ip: string }[];
  running: number;
  stopped: number;
  oversized: { prefix: number; recommendedPrefix: number } | null;
}

interface Sizing {
  profile: string;
  budget: number | null;
  cores: number;
  memoryBytes: number;
  containers: number;
  needed: number;
  prefix: number;
  table: { prefix: number; usable: number; recommended: boolean }[];
  suggestedSubnet: string;
}

interface Reservation {
  id: number;
  name: string;
  color: string;
  start: string;
  end: string;
}

interface Cell {
  ip: string;
  state: string;
  label?: string;
  color?: string;
}

/** Props of NetworksBoard, rendered on the server. */
export interface NetworksBoardProps {
  networks: NetworkView[];
  containers: string[];
}

/** The networks list, wizard and IPAM tools. */
export default function NetworksBoard(props: NetworksBoardProps) {
  const networks = useSignal(props.networks);
  const { status, error, act } = useActions(() => load());
  const open = useSignal<string | null>(null);
  const load = async () => {
    networks.value = await api<NetworkView[]>("GET", "/api/networks")
      .catch((err) => (error.value = problemText(err), networks.value));
  };
  const path = (n: string, rest = "") => `/api/networks/${encodeURIComponent(n)}${rest}`;
  return (
    <div class="networks">
      <Wizard onCreated={(msg) => act(() => Promise.resolve(msg))} />
      <div class="toolbar row">
        <button
          type="button"
          class="danger"
          onClick={() => {
            const typed = prompt('Type "prune networks" to remove every network no container uses');
            if (typed === null) return;
            void act(async () => {
              const r = await api<{ deleted: string[] }>("POST", "/api/networks/prune", {
                confirm: typed,
              });
              return `Pruned ${r.deleted.length} network(s)`;
            });
          }}
        >
          Prune unused…
        </button>
      </div>
      {status.value && <p class="muted" role="status">{status.value}</p>}
      {error.value && <p class="error" role="alert">{error.value}</p>}
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>Driver</th>
            <th>Subnet</th>
            <th>Gateway</th>
            <th>Containers</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {networks.value.map((n) => (
            <>
              <tr key={n.id} data-network={n.name}>
                <td>
                  {n.name}
                  {n.builtin && <span class="badge">built-in</span>}
                  {n.oversized && (
                    <div class="warning small" data-oversized>
                      Oversized: /{n.oversized.prefix}, /{n.oversized.recommendedPrefix}{" "}
                      recommended.{" "}
                      <button
                        type="button"
                        class="link"
                        onClick={() =>
                          confirm(
                            `Recreate ${n.name} as /${
                              n.oversized!.recommendedPrefix
                            }? Its containers are briefly disconnected.`,
                          ) &&
                          act(async () => {
                            const r = await api<{ subnet: string }>(
                              "POST",
                              path(n.name, "/recreate-smaller"),
                            );
                            return `${n.name} is now ${r.subnet}`;
                          })}
                      >
                        Recreate smaller
                      </button>{" "}
                      · dismiss for {(["7d", "30d", "forever"] as const).map((p) => (
                        <button
                          type="button"
                          class="link"
                          key={p}
                          onClick={() =>
                            act(async () => {
                              await api("POST", path(n.name, "/dismiss"), { for: p });
                              return `Warning dismissed (${p})`;
                            })}
                        >
                          {p === "forever" ? "good" : p}
                        </button>
                      ))}
                    </div>
                  )}
                </td>
                <td>
                  {n.driver} <span class="muted small">{n.scope}</span>
                </td>
                <td>
                  <code>{n.subnet ?? "—"}</code>
                </td>
                <td>
                  <code>{n.gateway ?? "—"}</code>
                </td>
                <td data-counts>
                  {n.running} running, {n.stopped} stopped{" "}
                  {n.users.length > 0 && (
                    <a href={`/containers?network=${encodeURIComponent(n.name)}`}>show</a>
                  )}
                </td>
                <td class="actions">
                  {n.subnet && !n.builtin && (
                    <button
                      type="button"
                      data-manage
                      onClick={() => open.value = open.value === n.name ? null : n.name}
                    >
                      {open.value === n.name ? "Close" : "Manage"}
                    </button>
                  )}
                  <button
                    type="button"
                    class="danger"
                    disabled={n.builtin || n.users.length > 0}
                    title={n.users.length ? `used by ${n.users.map((u) => u.name).join(", ")}` : ""}
                    onClick={() =>
                      confirm(`Remove the network ${n.name}?`) &&
                      act(async () => {
                        await api("DELETE", path(n.name));
                        return `Removed ${n.name}`;
                      })}
                  >
                    Remove
                  </button>
                </td>
              </tr>
              {open.value === n.name && (
                <tr key={`${n.id}-manage`}>
                  <td colSpan={6}>
                    <Manage network={n} containers={props.containers} onChange={load} />
                  </td>
                </tr>
              )}
            </>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The sizing wizard and create form. */
function Wizard(props: { onCreated: (message: string) => void }) {
  const containers = useSignal(10);
  const ips = useSignal(1);
  const buffer = useSignal(25);
  const sizing = useSignal<Sizing | null>(null);
  const name = useSignal("");
  const subnet = useSignal("");
  const acknowledged = useSignal(false);
  const error = useSignal("");
  const size = async () => {
    error.value = "";
    try {
      const s = await api<Sizing>(
        "GET",
        `/api/networks/sizing?containers=${containers.value}&ipsPerContainer=${ips.value}&buffer=${
          buffer.value / 100
        }`,
      );
      sizing.value = s;
      subnet.value = s.suggestedSubnet;
    } catch (err) {
      error.value = problemText(err);
    }
  };
  const chosenPrefix = Number(subnet.value.split("/")[1] ?? 0);
  const oversized = sizing.value !== null && chosenPrefix > 0 && chosenPrefix < sizing.value.prefix;
  return (
    <details class="wizard">
      <summary>Create a network…</summary>
      <div class="row">
        <label>
          Containers
          <input
            type="number"
            name="containers"
            min={1}
            value={containers.value}
            onInput={(e) => containers.value = Number(e.currentTarget.value)}
          />
        </label>
        <label>
          IPs per container
          <input
            type="number"
            name="ips"
            min={1}
            max={16}
            value={ips.value}
            onInput={(e) => ips.value = Number(e.currentTarget.value)}
          />
        </label>
        <label>
          Buffer %
          <input
            type="number"
            name="buffer"
            min={0}
            max={400}
            value={buffer.value}
            onInput={(e) => buffer.value = Number(e.currentTarget.value)}
          />
        </label>
        <button type="button" data-size onClick={size}>Recommend</button>
      </div>
      {sizing.value && (
        <div data-sizing>
          <p>
            This host: <strong>{sizing.value.profile}</strong> ({sizing.value.cores} cores,{" "}
            {Math.round(sizing.value.memoryBytes / 2 ** 30)} GiB), planned for{" "}
            {sizing.value.budget ?? "any number of"} containers. {sizing.value.needed}{" "}
            addresses needed: <strong data-recommended>/{sizing.value.prefix}</strong>.
          </p>
          <table class="sizes">
            <thead>
              <tr>
                <th>Size</th>
                <th>Usable addresses</th>
              </tr>
            </thead>
            <tbody>
              {sizing.value.table.map((t) => (
                <tr key={t.prefix} class={t.recommended ? "recommended" : ""}>
                  <td>
                    <button
                      type="button"
                      class="link"
                      onClick={() =>
                        subnet.value = `${subnet.value.split("/")[0] || "172.20.0.0"}/${t.prefix}`}
                    >
                      /{t.prefix}
                    </button>
                    {t.recommended && <span class="badge">recommended</span>}
                  </td>
                  <td>{t.usable}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <form
            class="row"
            aria-label="Create a network"
            onSubmit={async (e) => {
              e.preventDefault();
              error.value = "";
              try {
                const r = await api<{ subnet: string }>("POST", "/api/networks", {
                  name: name.value,
                  subnet: subnet.value,
                  containers: containers.value,
                  ipsPerContainer: ips.value,
                  buffer: buffer.value / 100,
                  acknowledgeOversize: acknowledged.value,
                });
                props.onCreated(`Created ${name.value} (${r.subnet})`);
                name.value = "";
                sizing.value = null;
              } catch (err) {
                error.value = problemText(err);
              }
            }}
          >
            <input
              name="name"
              placeholder="network name"
              required
              pattern="[a-zA-Z0-9][a-zA-Z0-9_.\-]*"
              value={name.value}
              onInput={(e) => name.value = e.currentTarget.value}
            />
            <input
              name="subnet"
              value={subnet.value}
              onInput={(e) => subnet.value = e.currentTarget.value}
            />
            {oversized && (
              <label class="check warning">
                <input
                  type="checkbox"
                  name="acknowledge"
                  checked={acknowledged.value}
                  onChange={(e) => acknowledged.value = e.currentTarget.checked}
                />
                /{chosenPrefix}{" "}
                is larger than the recommended /{sizing.value.prefix}: create it anyway
              </label>
            )}
            <button type="submit" disabled={oversized && !acknowledged.value}>Create</button>
          </form>
        </div>
      )}
      {error.value && <p class="error" role="alert">{error.value}</p>}
    </details>
  );
}

/** Reservations, the IP map and connect/disconnect for one network. */
function Manage(props: { network: NetworkView; containers: string[]; onChange: () => void }) {
  const n = props.network;
  const reservations = useSignal<Reservation[] | null>(null);
  const cells = useSignal<Cell[]>([]);
  const error = useSignal("");
  const form = useSignal({ name: "", color: "#2f81f7", start: "", end: "" });
  const connect = useSignal({ container: "", mode: "auto", ip: "", reservation: "" });
  const base = `/api/networks/${encodeURIComponent(n.name)}`;
  const refresh = async () => {
    try {
      reservations.value = await api<Reservation[]>("GET", `${base}/reservations`);
      cells.value = (await api<{ cells: Cell[] }>("GET", `${base}/ipmap`)).cells;
    } catch (err) {
      error.value = problemText(err);
    }
  };
  useEffect(() => void refresh(), [n.name]);
  const run = async (fn: () => Promise<unknown>) => {
    error.value = "";
    try {
      await fn();
    } catch (err) {
      error.value = problemText(err);
    }
    await refresh();
    props.onChange();
  };
  return (
    <div class="manage" data-manage-network={n.name}>
      {error.value && <p class="error" role="alert">{error.value}</p>}
      <h3>Reservations</h3>
      <ul>
        {(reservations.value ?? []).map((r) => (
          <li key={r.id} data-reservation={r.name}>
            <span class="swatch" style={{ background: r.color }} /> {r.name}: {r.start} – {r.end}
            {" "}
            <button
              type="button"
              class="link"
              onClick={() => run(() => api("DELETE", `${base}/reservations/${r.id}`))}
            >
              remove
            </button>
          </li>
        ))}
      </ul>
      <form
        class="row"
        aria-label="Reserve a range"
        onSubmit={(e) => {
          e.preventDefault();
          void run(() => api("POST", `${base}/reservations`, form.value));
        }}
      >
        {(["name", "start", "end"] as const).map((k) => (
          <input
            key={k}
            name={k}
            placeholder={k === "name" ? "name, e.g. Web" : `${k} address`}
            required
            value={form.value[k]}
            onInput={(e) => form.value = { ...form.value, [k]: e.currentTarget.value }}
          />
        ))}
        <input
          type="color"
          name="color"
          value={form.value.color}
          onInput={(e) => form.value = { ...form.value, color: e.currentTarget.value }}
        />
        <button type="submit">Reserve</button>
      </form>
      <h3>Containers</h3>
      <ul>
        {n.users.map((u) => (
          <li key={u.id}>
            {u.name} <code>{u.ip || "—"}</code> <span class="muted">{u.state}</span>{" "}
            <button
              type="button"
              class="link"
              onClick={() => run(() => api("POST", `${base}/disconnect`, { container: u.name }))}
            >
              disconnect
            </button>
          </li>
        ))}
      </ul>
      <form
        class="row"
        aria-label="Connect a container"
        onSubmit={(e) => {
          e.preventDefault();
          const c = connect.value;
          void run(() =>
            api("POST", `${base}/connect`, {
              container: c.container,
              ...(c.mode === "auto" ? { auto: true } : {}),
              ...(c.mode === "static" ? { ip: c.ip } : {}),
              ...(c.mode === "reservation" ? { reservation: Number(c.reservation) } : {}),
            })
          );
        }}
      >
        <select
          name="container"
          required
          value={connect.value.container}
          onChange={(e) => connect.value = { ...connect.value, container: e.currentTarget.value }}
        >
          <option value="">container…</option>
          {props.containers.map((c) => <option key={c} value={c}>{c}</option>)}
        </select>
        <select
          name="mode"
          value={connect.value.mode}
          onChange={(e) => connect.value = { ...connect.value, mode: e.currentTarget.value }}
        >
          <option value="auto">next free address</option>
          <option value="static">static address</option>
          <option value="reservation">inside a reservation</option>
        </select>
        {connect.value.mode === "static" && (
          <input
            name="ip"
            placeholder="address"
            required
            value={connect.value.ip}
            onInput={(e) => connect.value = { ...connect.value, ip: e.currentTarget.value }}
          />
        )}
        {connect.value.mode === "reservation" && (
          <select
            name="reservation"
            required
            value={connect.value.reservation}
            onChange={(e) =>
              connect.value = { ...connect.value, reservation: e.currentTarget.value }}
          >
            <option value="">reservation…</option>
            {(reservations.value ?? []).map((r) => (
              <option key={r.id} value={String(r.id)}>{r.name}</option>
            ))}
          </select>
        )}
        <button type="submit">Connect</button>
      </form>
      {cells.value.length > 0 && (
        <>
          <h3>IP map</h3>
          <div class="ipmap" data-ipmap>
            {cells.value.map((c) => (
              <span
                key={c.ip}
                class={`cell ${c.state}`}
                data-ip={c.ip}
                data-state={c.state}
                title={`${c.ip} ${c.state}${c.label ? `: ${c.label}` : ""}`}
                style={c.state === "reserved" && c.color ? { background: c.color } : undefined}
              />
            ))}
          </div>
          <p class="muted small">
            Legend: <span class="cell used" /> used <span class="cell reserved" /> reserved{" "}
            <span class="cell free" /> free <span class="cell gateway" /> gateway
          </p>
        </>
      )}
    </div>
  );
}
