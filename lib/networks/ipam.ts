/**
 * IPv4 address planning: CIDR arithmetic, the smallest subnet that fits a container count,
 * overlap detection, reservations, the next free address and the map of a subnet.
 */
import { ValidationError } from "../errors.ts";

/** An IPv4 address as a number (0 … 2^32-1). */
export function ipToInt(ip: string): number {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip.trim());
  if (!m) throw new ValidationError(`"${ip}" is not an IPv4 address`);
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) throw new ValidationError(`"${ip}" is not an IPv4 address`);
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

/** A number as a dotted IPv4 address. */
export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

/** A parsed CIDR block. */
export interface Cidr {
  base: number;
  prefix: number;
  /** Addresses in the block. */
  size: number;
}

/** Parses `a.b.c.d/p`; the base must be the block's first address. */
export function parseCidr(text: string): Cidr {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(text.trim());
  if (!m) throw new ValidationError(`"${text}" is not an IPv4 subnet like 172.20.0.0/24`);
  const prefix = Number(m[2]);
  if (prefix < 8 || prefix > 30) throw new ValidationError("The prefix must be between /8 and /30");
  const base = ipToInt(m[1]);
  const size = 2 ** (32 - prefix);
  if (base % size !== 0) {
    throw new ValidationError(
      `${text} does not start its block: did you mean ${intToIp(base - (base % size))}/${prefix}?`,
    );
  }
  return { base, prefix, size };
}

/** `a.b.c.d/p`. */
export function formatCidr(c: Cidr): string {
  return `${intToIp(c.base)}/${c.prefix}`;
}

/** Addresses a container can get: the block minus network, broadcast and gateway. */
export function usableAddresses(prefix: number): number {
  return Math.max(0, 2 ** (32 - prefix) - 3);
}

/** True when `ip` lies inside the block. */
export function contains(c: Cidr, ip: number): boolean {
  return ip >= c.base && ip < c.base + c.size;
}

/** True when two blocks share an address. */
export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.base < b.base + b.size && b.base < a.base + a.size;
}

/** The sizing table row of one prefix. */
export interface SizeOption {
  prefix: number;
  usable: number;
  recommended: boolean;
}

/**
 * The smallest prefix whose usable addresses fit `containers × ipsPerContainer × (1 +
 * buffer)` (at least /29, at most /16), and the table of sizes around it.
 */
export function recommendPrefix(
  containers: number,
  ipsPerContainer = 1,
  buffer = 0.25,
): { needed: number; prefix: number; table: SizeOption[] } {
  const needed = Math.ceil(containers * ipsPerContainer * (1 + buffer));
  let prefix = 29;
  while (prefix > 16 && usableAddresses(prefix) < needed) prefix--;
  const table: SizeOption[] = [];
  for (let p = 29; p >= 16; p--) {
    table.push({ prefix: p, usable: usableAddresses(p), recommended: p === prefix });
  }
  return { needed, prefix, table };
}

/**
 * The first free block of `prefix` inside the private ranges Docker uses (172.16/12 from
 * 172.20, then 10/8 from 10.100, then 192.168/16) that overlaps none of `taken`.
 */
export function findFreeSubnet(prefix: number, taken: Cidr[]): Cidr {
  const size = 2 ** (32 - prefix);
  const pools: [string, string][] = [
    ["172.20.0.0", "172.31.255.255"],
    ["10.100.0.0", "10.255.255.255"],
    ["192.168.100.0", "192.168.255.255"],
  ];
  for (const [from, to] of pools) {
    for (let base = ipToInt(from); base + size - 1 <= ipToInt(to); base += size) {
      const c = { base, prefix, size };
      if (!taken.some((t) => overlaps(t, c))) return c;
    }
  }
  throw new ValidationError("No free private subnet of that size is left");
}

/** A named range of addresses inside a network. */
export interface Reservation {
  id: number;
  name: string;
  color: string;
  start: string;
  end: string;
}

/** The gateway Docker gives a block when none is set: its first usable address. */
export function defaultGateway(c: Cidr): number {
  return c.base + 1;
}

/**
 * The next free address: not the network, broadcast or gateway address, not used, and
 * outside every reservation — or, with `within`, inside that reservation only.
 */
export function nextFree(
  c: Cidr,
  options: {
    gateway?: number;
    used: Set<number>;
    reservations: Reservation[];
    within?: Reservation;
  },
): string | undefined {
  const gateway = options.gateway ?? defaultGateway(c);
  const ranges = options.reservations.map((r) => [ipToInt(r.start), ipToInt(r.end)]);
  const [from, to] = options.within
    ? [ipToInt(options.within.start), ipToInt(options.within.end)]
    : [c.base + 1, c.base + c.size - 2];
  for (let ip = Math.max(from, c.base + 1); ip <= Math.min(to, c.base + c.size - 2); ip++) {
    if (ip === gateway || options.used.has(ip)) continue;
    if (!options.within && ranges.some(([s, e]) => ip >= s && ip <= e)) continue;
    return intToIp(ip);
  }
  return undefined;
}

/** One address of the map. */
export interface MapCell {
  ip: string;
  state: "network" | "gateway" | "broadcast" | "used" | "reserved" | "free";
  /** The container using it, or the reservation holding it. */
  label?: string;
  color?: string;
}

/** Every address of a block up to /22 (1024 addresses) with its state. */
export function ipMap(
  c: Cidr,
  options: { gateway?: number; used: Map<number, string>; reservations: Reservation[] },
): MapCell[] {
  if (c.prefix < 22) throw new ValidationError("The map is drawn for subnets up to /22");
  const gateway = options.gateway ?? defaultGateway(c);
  const cells: MapCell[] = [];
  for (let ip = c.base; ip < c.base + c.size; ip++) {
    const text = intToIp(ip);
    if (ip === c.base) cells.push({ ip: text, state: "network" });
    else if (ip === c.base + c.size - 1) cells.push({ ip: text, state: "broadcast" });
    else if (ip === gateway) cells.push({ ip: text, state: "gateway" });
    else if (options.used.has(ip)) {
      cells.push({ ip: text, state: "used", label: options.used.get(ip) });
    } else {
      const r = options.reservations.find((r) => ip >= ipToInt(r.start) && ip <= ipToInt(r.end));
      cells.push(
        r
          ? { ip: text, state: "reserved", label: r.name, color: r.color }
          : { ip: text, state: "free" },
      );
    }
  }
  return cells;
}
