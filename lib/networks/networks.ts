/**
 * Networks and IPAM: the list with subnets and users (running and stopped), creation sized
 * by the hardware profile with overlap refusal and an acknowledged "oversized" warning,
 * "recreate smaller", IP reservations, the next free address, the IP map, and connecting a
 * container with a validated static IP. Bosun's notes on a network live in SQLite by id.
 */
import type { DatabaseSync } from "node:sqlite";
import type { DockerClient } from "../docker/client.ts";
import { type ContainerSummary, listContainers } from "../docker/containers.ts";
import {
  connectNetwork,
  createNetwork,
  disconnectNetwork,
  inspectNetwork,
  listNetworks,
  networkDefinition,
  type NetworkInspect,
  removeNetwork,
} from "../docker/networks.ts";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import {
  type Cidr,
  contains,
  findFreeSubnet,
  formatCidr,
  intToIp,
  ipMap,
  ipToInt,
  type MapCell,
  nextFree,
  overlaps,
  parseCidr,
  recommendPrefix,
  type Reservation,
} from "./ipam.ts";

/** Networks every engine has, never removed or recreated. */
export const BUILTIN_NETWORKS = new Set(["bridge", "host", "none", "docker_gwbridge", "ingress"]);

/** A container attached to a network. */
export interface NetworkUser {
  id: string;
  name: string;
  state: string;
  ip: string;
}

/** A network as the Networks page shows it. */
export interface NetworkView {
  id: string;
  name: string;
  driver: string;
  scope: string;
  internal: boolean;
  builtin: boolean;
  subnet: string | null;
  gateway: string | null;
  users: NetworkUser[];
  running: number;
  stopped: number;
  labels: Record<string, string>;
  /** Set while an oversized network's warning is not dismissed. */
  oversized: { prefix: number; recommendedPrefix: number } | null;
}

interface MetaRow {
  network_id: string;
  name: string;
  recommended_prefix: number | null;
  containers: number | null;
  oversized: number;
  dismissed_until: number | null;
}

function meta(db: DatabaseSync, id: string): MetaRow | undefined {
  return db.prepare("SELECT * FROM network_meta WHERE network_id = ?").get(id) as
    | MetaRow
    | undefined;
}

/** The first IPv4 subnet and gateway of a network. */
export function ipv4Of(
  n: Pick<NetworkInspect, "ipam">,
): { subnet: Cidr; gateway?: number } | undefined {
  for (const c of n.ipam.config) {
    const subnet = String(c.Subnet ?? "");
    if (!/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(subnet)) continue;
    try {
      const cidr = parseCidrLoose(subnet);
      const gw = String(c.Gateway ?? "");
      return { subnet: cidr, gateway: gw ? ipToInt(gw) : undefined };
    } catch {
      continue;
    }
  }
  return undefined;
}

/** Like parseCidr, but for what the engine reports (any prefix, base normalised). */
function parseCidrLoose(text: string): Cidr {
  const [ip, p] = text.split("/");
  const prefix = Number(p);
  const size = 2 ** (32 - prefix);
  const addr = ipToInt(ip);
  return { base: addr - (addr % size), prefix, size };
}

/** Every network with its subnet, users and warning, sorted by name. */
export async function listNetworkViews(
  docker: DockerClient,
  db: DatabaseSync,
  options: { signal?: AbortSignal } = {},
): Promise<NetworkView[]> {
  const [summaries, containers] = await Promise.all([
    listNetworks(docker, options),
    listContainers(docker, options),
  ]);
  const views: NetworkView[] = [];
  for (const n of summaries) {
    const users = attached(containers, n);
    const v4 = ipv4Of(n);
    const m = meta(db, n.id);
    const dismissed = m?.dismissed_until !== null && m?.dismissed_until !== undefined &&
      (m.dismissed_until === -1 || m.dismissed_until > Date.now());
    views.push({
      id: n.id,
      name: n.name,
      driver: n.driver,
      scope: n.scope,
      internal: n.internal,
      builtin: BUILTIN_NETWORKS.has(n.name),
      subnet: v4 ? formatCidr(v4.subnet) : null,
      gateway: v4 ? intToIp(v4.gateway ?? v4.subnet.base + 1) : null,
      users,
      running: users.filter((u) => u.state === "running").length,
      stopped: users.filter((u) => u.state !== "running").length,
      labels: n.labels,
      oversized: m?.oversized && !dismissed && v4 && m.recommended_prefix
        ? { prefix: v4.subnet.prefix, recommendedPrefix: m.recommended_prefix }
        : null,
    });
  }
  return views.sort((a, b) => a.name.localeCompare(b.name));
}

/** What a new network is asked to be. */
export interface NetworkInput {
  name: string;
  driver: "bridge" | "macvlan" | "ipvlan";
  /** `a.b.c.d/p`; when missing, a free block of the recommended size is chosen. */
  subnet?: string;
  gateway?: string;
  /** How many containers it is planned for (default: the hardware budget, at most 50). */
  containers: number;
  ipsPerContainer: number;
  buffer: number;
  /** Required to create a block larger than recommended. */
  acknowledgeOversize: boolean;
  internal: boolean;
  labels: Record<string, string>;
  /** For macvlan/ipvlan: the parent interface. */
  parent?: string;
}

/** The IPv4 blocks of every network, with their names (for overlap checks). */
export async function takenSubnets(docker: DockerClient) {
  const out: { name: string; cidr: Cidr }[] = [];
  for (const n of await listNetworks(docker)) {
    const v4 = ipv4Of(n);
    if (v4) out.push({ name: n.name, cidr: v4.subnet });
  }
  return out;
}

/** Creates a network sized by the recommendation; resolves with its view. */
export async function createPlannedNetwork(
  docker: DockerClient,
  db: DatabaseSync,
  input: NetworkInput,
): Promise<{ id: string; subnet: string; recommendedPrefix: number; oversized: boolean }> {
  const rec = recommendPrefix(input.containers, input.ipsPerContainer, input.buffer);
  const taken = await takenSubnets(docker);
  if (taken.some((t) => t.name === input.name)) {
    throw new ConflictError(`A network named "${input.name}" exists`);
  }
  let subnet: Cidr;
  if (input.subnet) {
    subnet = parseCidr(input.subnet);
    const clash = taken.find((t) => overlaps(t.cidr, subnet));
    if (clash) {
      throw new ConflictError(
        `${formatCidr(subnet)} overlaps the network "${clash.name}" (${formatCidr(clash.cidr)})`,
      );
    }
  } else subnet = findFreeSubnet(rec.prefix, taken.map((t) => t.cidr));
  const oversized = subnet.prefix < rec.prefix;
  if (oversized && !input.acknowledgeOversize) {
    throw new ValidationError(
      `/${subnet.prefix} is larger than the recommended /${rec.prefix} for ${input.containers} containers (${rec.needed} addresses): acknowledge the larger size to create it`,
    );
  }
  let gateway: string | undefined;
  if (input.gateway) {
    const gw = ipToInt(input.gateway);
    if (!contains(subnet, gw) || gw === subnet.base || gw === subnet.base + subnet.size - 1) {
      throw new ValidationError(
        `The gateway ${input.gateway} is not a host address of ${formatCidr(subnet)}`,
      );
    }
    gateway = input.gateway;
  }
  const id = await createNetwork(docker, {
    name: input.name,
    driver: input.driver,
    internal: input.internal,
    attachable: false,
    enableIPv6: false,
    ipam: {
      driver: "default",
      config: [{ Subnet: formatCidr(subnet), ...(gateway ? { Gateway: gateway } : {}) }],
      options: {},
    },
    options: input.parent ? { parent: input.parent } : {},
    labels: input.labels,
  });
  db.prepare(
    `INSERT OR REPLACE INTO network_meta (network_id, name, recommended_prefix, containers, oversized)
     VALUES (?, ?, ?, ?, ?)`,
  ).run(id, input.name, rec.prefix, input.containers, oversized ? 1 : 0);
  return { id, subnet: formatCidr(subnet), recommendedPrefix: rec.prefix, oversized };
}

/** Inspects a network by name or id (404 when missing). */
async function network(docker: DockerClient, ref: string): Promise<NetworkInspect> {
  return await inspectNetwork(docker, ref);
}

/** The users of a network (running and stopped). */
async function usersOf(docker: DockerClient, n: NetworkInspect): Promise<NetworkUser[]> {
  return attached(await listContainers(docker), n);
}

/** The containers (running or not) attached to a network, with their addresses on it. */
function attached(
  containers: ContainerSummary[],
  n: { id: string; name: string },
): NetworkUser[] {
  return containers.flatMap((c) => {
    const on = c.networks.find((x) => x.id === n.id || x.name === n.name);
    return on ? [{ id: c.id, name: c.name, state: c.state, ip: on.ip }] : [];
  });
}

/** Removes a network no container uses (built-in ones never). */
export async function removeUnusedNetwork(
  docker: DockerClient,
  db: DatabaseSync,
  ref: string,
): Promise<void> {
  const n = await network(docker, ref);
  if (BUILTIN_NETWORKS.has(n.name)) throw new ConflictError(`"${n.name}" is built into Docker`);
  const users = await usersOf(docker, n);
  if (users.length) {
    throw new ConflictError(
      `The network "${n.name}" is used by ${users.map((u) => `${u.name} (${u.state})`).join(", ")}`,
    );
  }
  await removeNetwork(docker, n.id);
  forgetNetwork(db, n.id);
}

/** Drops Bosun's notes on a network that is gone. */
export function forgetNetwork(db: DatabaseSync, id: string): void {
  db.prepare("DELETE FROM network_meta WHERE network_id = ?").run(id);
  db.prepare("DELETE FROM ip_reservations WHERE network_id = ?").run(id);
}

/** Hides a network's oversized warning for a while (`-1`: for good). */
export async function dismissOversized(
  docker: DockerClient,
  db: DatabaseSync,
  ref: string,
  period: "7d" | "30d" | "forever",
): Promise<void> {
  const n = await network(docker, ref);
  const until = period === "forever" ? -1 : Date.now() + (period === "7d" ? 7 : 30) * 86_400_000;
  const r = db.prepare("UPDATE network_meta SET dismissed_until = ? WHERE network_id = ?").run(
    until,
    n.id,
  );
  if (!r.changes) throw new NotFoundError(`"${n.name}" has no warning to dismiss`);
}

/**
 * Recreates an oversized network at its recommended size, under the same name: every
 * container is disconnected (addresses noted), the network removed and created again with a
 * block of the recommended prefix at the same base, and the containers reconnected — with
 * their old addresses where they fit. Any failure puts the old network and its containers
 * back.
 */
export async function recreateSmaller(
  docker: DockerClient,
  db: DatabaseSync,
  ref: string,
): Promise<{ id: string; subnet: string; moved: { name: string; ip: string; kept: boolean }[] }> {
  const n = await network(docker, ref);
  const m = meta(db, n.id);
  const v4 = ipv4Of(n);
  if (!m?.recommended_prefix || !v4) {
    throw new ValidationError(`"${n.name}" has no recommended size`);
  }
  if (v4.subnet.prefix >= m.recommended_prefix) {
    throw new ValidationError(`"${n.name}" is not larger than its recommended size`);
  }
  const size = 2 ** (32 - m.recommended_prefix);
  const smaller: Cidr = { base: v4.subnet.base, prefix: m.recommended_prefix, size };
  const users = await usersOf(docker, n);
  if (users.length > size - 3) {
    throw new ConflictError(`${users.length} containers do not fit in /${smaller.prefix}`);
  }
  const def = networkDefinition(n);
  const reconnect = async (id: string, cidr: Cidr, gateway: number | undefined) => {
    const used = new Set<number>();
    const plan = users.map((u) => {
      const old = u.ip ? ipToInt(u.ip) : undefined;
      const keep = old !== undefined && contains(cidr, old) && old !== cidr.base &&
        old !== cidr.base + cidr.size - 1 && old !== (gateway ?? cidr.base + 1) && !used.has(old);
      if (keep) used.add(old!);
      return { u, ip: keep ? intToIp(old!) : undefined };
    });
    // Kept addresses first, so the engine's automatic ones cannot take them.
    plan.sort((x, y) => Number(Boolean(y.ip)) - Number(Boolean(x.ip)));
    const moved: { name: string; ip: string; kept: boolean }[] = [];
    for (const { u, ip } of plan) {
      await connectNetwork(docker, id, u.id, ip ? { IPAMConfig: { IPv4Address: ip } } : {});
      moved.push({ name: u.name, ip: ip ?? "", kept: Boolean(ip) });
    }
    return moved;
  };
  for (const u of users) await disconnectNetwork(docker, n.id, u.id, { force: true });
  await removeNetwork(docker, n.id);
  try {
    const gateway = v4.gateway !== undefined && contains(smaller, v4.gateway)
      ? v4.gateway
      : undefined;
    const id = await createNetwork(docker, {
      ...def,
      ipam: {
        driver: n.ipam.driver,
        config: [{
          Subnet: formatCidr(smaller),
          ...(gateway !== undefined ? { Gateway: intToIp(gateway) } : {}),
        }],
        options: n.ipam.options,
      },
    });
    const moved = await reconnect(id, smaller, gateway);
    db.prepare(
      `UPDATE network_meta SET network_id = ?, oversized = 0, dismissed_until = NULL WHERE network_id = ?`,
    ).run(id, n.id);
    db.prepare("UPDATE ip_reservations SET network_id = ? WHERE network_id = ?").run(id, n.id);
    // Reservations outside the smaller block no longer apply.
    for (const r of listReservations(db, id)) {
      if (!contains(smaller, ipToInt(r.start)) || !contains(smaller, ipToInt(r.end))) {
        db.prepare("DELETE FROM ip_reservations WHERE id = ?").run(r.id);
      }
    }
    return { id, subnet: formatCidr(smaller), moved };
  } catch (err) {
    // Put the old network back as it was, with its containers.
    try {
      const current = await inspectNetwork(docker, n.name).catch(() => undefined);
      if (current) {
        for (const u of await usersOf(docker, current)) {
          await disconnectNetwork(docker, current.id, u.id, { force: true }).catch(() => {});
        }
        await removeNetwork(docker, current.id).catch(() => {});
      }
      const id = await createNetwork(docker, def);
      await reconnect(id, v4.subnet, v4.gateway);
      db.prepare("UPDATE network_meta SET network_id = ? WHERE network_id = ?").run(id, n.id);
      db.prepare("UPDATE ip_reservations SET network_id = ? WHERE network_id = ?").run(id, n.id);
    } catch (restoreErr) {
      throw new Error(
        `Recreating "${n.name}" failed (${(err as Error).message}) and so did putting it back: ${
          (restoreErr as Error).message
        }`,
      );
    }
    throw err;
  }
}

function toReservation(r: Record<string, unknown>): Reservation {
  return {
    id: Number(r.id),
    name: String(r.name),
    color: String(r.color),
    start: String(r.start_ip),
    end: String(r.end_ip),
  };
}

/** A network's reservations, by start address. */
export function listReservations(db: DatabaseSync, networkId: string): Reservation[] {
  return db.prepare("SELECT * FROM ip_reservations WHERE network_id = ?").all(networkId)
    .map((r) => toReservation(r as Record<string, unknown>))
    .sort((a, b) => ipToInt(a.start) - ipToInt(b.start));
}

/** Adds a named range inside the network's subnet, overlapping no other reservation. */
export async function addReservation(
  docker: DockerClient,
  db: DatabaseSync,
  ref: string,
  input: { name: string; color: string; start: string; end: string },
): Promise<Reservation> {
  const n = await network(docker, ref);
  const v4 = ipv4Of(n);
  if (!v4) throw new ValidationError(`"${n.name}" has no IPv4 subnet to reserve in`);
  const start = ipToInt(input.start);
  const end = ipToInt(input.end);
  const { subnet } = v4;
  if (start > end) throw new ValidationError("The range starts after it ends");
  if (start <= subnet.base || end >= subnet.base + subnet.size - 1) {
    throw new ValidationError(`The range must lie inside ${formatCidr(subnet)}'s host addresses`);
  }
  const clash = listReservations(db, n.id).find((r) =>
    start <= ipToInt(r.end) && ipToInt(r.start) <= end
  );
  if (clash) throw new ConflictError(`The range overlaps the reservation "${clash.name}"`);
  const r = db.prepare(
    `INSERT INTO ip_reservations (network_id, name, color, start_ip, end_ip, created_at)
     VALUES (?, ?, ?, ?, ?, ?)`,
  ).run(n.id, input.name, input.color, intToIp(start), intToIp(end), Date.now());
  return { id: Number(r.lastInsertRowid), ...input, start: intToIp(start), end: intToIp(end) };
}

/** Deletes a reservation of the network. */
export async function deleteReservation(
  docker: DockerClient,
  db: DatabaseSync,
  ref: string,
  id: number,
): Promise<void> {
  const n = await network(docker, ref);
  const r = db.prepare("DELETE FROM ip_reservations WHERE id = ? AND network_id = ?").run(id, n.id);
  if (!r.changes) throw new NotFoundError("No such reservation on this network");
}

async function addressing(docker: DockerClient, db: DatabaseSync, ref: string) {
  const n = await network(docker, ref);
  const v4 = ipv4Of(n);
  if (!v4) throw new ValidationError(`"${n.name}" has no IPv4 subnet`);
  const users = await usersOf(docker, n);
  const used = new Map<number, string>();
  for (const u of users) if (u.ip) used.set(ipToInt(u.ip), u.name);
  return { n, v4, used, reservations: listReservations(db, n.id) };
}

/** The next free address, outside reservations or inside the chosen one. */
export async function nextAddress(
  docker: DockerClient,
  db: DatabaseSync,
  ref: string,
  reservationId?: number,
): Promise<string> {
  const { v4, used, reservations } = await addressing(docker, db, ref);
  const within = reservationId === undefined
    ? undefined
    : reservations.find((r) => r.id === reservationId);
  if (reservationId !== undefined && !within) throw new NotFoundError("No such reservation");
  const ip = nextFree(v4.subnet, {
    gateway: v4.gateway,
    used: new Set(used.keys()),
    reservations,
    within,
  });
  if (!ip) throw new ConflictError(within ? `"${within.name}" is full` : "The network is full");
  return ip;
}

/** The map of the network's addresses. */
export async function addressMap(
  docker: DockerClient,
  db: DatabaseSync,
  ref: string,
): Promise<{ subnet: string; cells: MapCell[]; reservations: Reservation[] }> {
  const { v4, used, reservations } = await addressing(docker, db, ref);
  return {
    subnet: formatCidr(v4.subnet),
    cells: ipMap(v4.subnet, { gateway: v4.gateway, used, reservations }),
    reservations,
  };
}

/**
 * Connects a container, optionally with a static address (checked: inside the subnet, a
 * host address, not the gateway, free) or the next free one (outside reservations, or
 * inside the chosen reservation).
 */
export async function connectContainer(
  docker: DockerClient,
  db: DatabaseSync,
  ref: string,
  input: {
    container: string;
    ip?: string;
    auto?: boolean;
    reservation?: number;
    aliases?: string[];
  },
): Promise<{ ip: string | null }> {
  let ip = input.ip;
  if (ip || input.auto || input.reservation !== undefined) {
    const { n, v4, used } = await addressing(docker, db, ref);
    if (!ip) ip = await nextAddress(docker, db, n.id, input.reservation);
    const addr = ipToInt(ip);
    const gw = v4.gateway ?? v4.subnet.base + 1;
    if (!contains(v4.subnet, addr)) {
      throw new ValidationError(`${ip} is not inside ${formatCidr(v4.subnet)}`);
    }
    if (addr === v4.subnet.base || addr === v4.subnet.base + v4.subnet.size - 1 || addr === gw) {
      throw new ValidationError(
        `${ip} is the network's ${addr === gw ? "gateway" : "own"} address`,
      );
    }
    if (used.has(addr)) throw new ConflictError(`${ip} is used by ${used.get(addr)}`);
  }
  await connectNetwork(docker, ref, input.container, {
    ...(ip ? { IPAMConfig: { IPv4Address: ip } } : {}),
    ...(input.aliases?.length ? { Aliases: input.aliases } : {}),
  });
  return { ip: ip ?? null };
}
