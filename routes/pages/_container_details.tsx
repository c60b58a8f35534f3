/** The server-rendered, readable view of one container. */
import type { ContainerTop } from "../../lib/docker/containers.ts";
import type { ContainerDetails } from "../../lib/shared/containers.ts";

/** Props of ContainerDetailsView. */
export interface ContainerDetailsViewProps {
  details: ContainerDetails;
  /** Processes, when the container is running. */
  top?: ContainerTop;
}

/** Image, command, state, ports, mounts, networks, environment (masked) and labels. */
export function ContainerDetailsView({ details: d, top }: ContainerDetailsViewProps) {
  return (
    <section class="container-details">
      <h2>Overview</h2>
      <dl class="details">
        <dt>Image</dt>
        <dd>{d.image}</dd>
        <dt>Image id</dt>
        <dd>
          <code>{d.imageId.slice(0, 19)}</code>
        </dd>
        <dt>Command</dt>
        <dd>
          <code>{d.command}</code>
        </dd>
        <dt>Created</dt>
        <dd>{d.created}</dd>
        <dt>Started</dt>
        <dd>{d.startedAt ?? "never"}</dd>
        {d.finishedAt && (
          <>
            <dt>Finished</dt>
            <dd>{d.finishedAt} (exit code {d.exitCode})</dd>
          </>
        )}
        <dt>Restart policy</dt>
        <dd>{d.restartPolicy} (restarted {d.restartCount} times)</dd>
        <dt>Health</dt>
        <dd>{d.health ?? "no healthcheck"}</dd>
        <dt>Id</dt>
        <dd>
          <code>{d.id}</code>
        </dd>
      </dl>
      {top && (
        <>
          <h2>Processes</h2>
          <table class="processes">
            <thead>
              <tr>{top.titles.map((t) => <th key={t}>{t}</th>)}</tr>
            </thead>
            <tbody>
              {top.processes.map((p, i) => (
                <tr key={i}>{p.map((v, j) => <td key={j}>{v}</td>)}</tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <h2>Ports</h2>
      {d.ports.length
        ? (
          <ul>
            {d.ports.map((p) => (
              <li>{p.host ? `${p.host} → ${p.container}` : `${p.container} (not published)`}</li>
            ))}
          </ul>
        )
        : <p class="muted">None.</p>}
      <h2>Mounts</h2>
      {d.mounts.length
        ? (
          <table>
            <thead>
              <tr>
                <th>Type</th>
                <th>Source</th>
                <th>Destination</th>
                <th>Mode</th>
              </tr>
            </thead>
            <tbody>
              {d.mounts.map((m) => (
                <tr>
                  <td>{m.type}</td>
                  <td>{m.name ?? m.source}</td>
                  <td>{m.destination}</td>
                  <td>{m.readOnly ? "ro" : "rw"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )
        : <p class="muted">None.</p>}
      <h2>Networks</h2>
      <table>
        <thead>
          <tr>
            <th>Network</th>
            <th>IP</th>
            <th>Gateway</th>
            <th>Aliases</th>
          </tr>
        </thead>
        <tbody>
          {d.networks.map((n) => (
            <tr>
              <td>{n.name}</td>
              <td>{n.ipAddress || "—"}</td>
              <td>{n.gateway || "—"}</td>
              <td>{n.aliases.join(", ")}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Environment</h2>
      <table>
        <tbody>
          {d.env.map((e) => (
            <tr>
              <td>
                <code>{e.key}</code>
              </td>
              <td
                class={e.masked ? "muted" : ""}
                title={e.masked ? "masked: the key looks secret" : ""}
              >
                {e.value}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Labels</h2>
      {Object.keys(d.labels).length
        ? (
          <table>
            <tbody>
              {Object.entries(d.labels).map(([k, v]) => (
                <tr>
                  <td>
                    <code>{k}</code>
                  </td>
                  <td>{v}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )
        : <p class="muted">None.</p>}
    </section>
  );
}
