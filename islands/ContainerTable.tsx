/** The containers table with instant filtering by name, image or state. */
import { useSignal } from "@preact/signals";
import { type ContainerTableProps, formatPort } from "../lib/shared/containers.ts";

/** Renders the table; the filter box narrows rows as the user types. */
export default function ContainerTable({ containers }: ContainerTableProps) {
  const filter = useSignal("");
  const needle = filter.value.trim().toLowerCase();
  const rows = needle
    ? containers.filter((c) =>
      [c.name, c.image, c.state, c.status].some((v) => v.toLowerCase().includes(needle))
    )
    : containers;
  return (
    <div class="container-table">
      <input
        type="search"
        class="filter"
        placeholder="Filter by name, image or state"
        aria-label="Filter containers"
        value={filter.value}
        onInput={(e) => filter.value = e.currentTarget.value}
      />
      <p class="muted count">{rows.length} of {containers.length} containers</p>
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>Image</th>
            <th>State</th>
            <th>Status</th>
            <th>Ports</th>
            <th>Created</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((c) => (
            <tr key={c.id} data-container={c.name}>
              <td class="name">{c.name}</td>
              <td class="image">{c.image}</td>
              <td>
                <span class={`state state-${c.state}`}>{c.state}</span>
              </td>
              <td>{c.status}</td>
              <td class="ports">{c.ports.map(formatPort).join(", ")}</td>
              <td>
                <time dateTime={c.created}>{c.created.slice(0, 16).replace("T", " ")}</time>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length === 0 && <p class="muted">No containers match.</p>}
    </div>
  );
}
