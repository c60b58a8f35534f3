/**
 * Compose files: parsed with `yaml`, variables interpolated from the stack's `.env`, checked
 * with line numbers, and normalised into what Bosun deploys. Keys Bosun does not deploy are
 * reported as warnings (with their line), never dropped silently.
 */
import { type Document, isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import { ValidationError } from "../errors.ts";
import { parseDockerSize } from "../shared/format.ts";

/** A problem or warning at a place in the file. */
export interface ComposeIssue {
  path: string;
  line: number | null;
  message: string;
}

/** The compose file has errors; each is listed with its line (`errors` of the problem). */
export class ComposeError extends ValidationError {
  constructor(readonly lines: ComposeIssue[]) {
    super(
      `The compose file has ${lines.length} error(s): ` +
        lines.map((i) =>
          `${i.line ? `line ${i.line}: ` : ""}${i.path ? `${i.path}: ` : ""}${i.message}`
        ).join("; "),
      lines.map((i) => ({
        path: i.path,
        message: i.line ? `line ${i.line}: ${i.message}` : i.message,
      })),
    );
  }
}

/** A published port. */
export interface PortSpec {
  target: number;
  published?: number;
  hostIp?: string;
  protocol: "tcp" | "udp";
}

/** A mount of a service. */
export interface MountSpec {
  type: "volume" | "bind";
  /** Volume key (for named volumes), or the path as written (binds). */
  source?: string;
  target: string;
  readOnly: boolean;
}

/** A service's network. */
export interface ServiceNetwork {
  name: string;
  ipv4Address?: string;
  aliases: string[];
}

/** A healthcheck in engine units (nanoseconds). */
export interface HealthSpec {
  test: string[];
  interval?: number;
  timeout?: number;
  retries?: number;
  startPeriod?: number;
}

/** One service, normalised. */
export interface ServiceSpec {
  name: string;
  image: string;
  containerName?: string;
  command?: string[];
  entrypoint?: string[];
  environment: Record<string, string>;
  /** `env_file` entries, relative to the stack folder (read at deploy time). */
  envFiles: string[];
  ports: PortSpec[];
  volumes: MountSpec[];
  networks: ServiceNetwork[];
  restart?: string;
  labels: Record<string, string>;
  dependsOn: {
    service: string;
    condition: "service_started" | "service_healthy" | "service_completed_successfully";
  }[];
  healthcheck?: HealthSpec | "disable";
  user?: string;
  workingDir?: string;
  capAdd: string[];
  capDrop: string[];
  memoryBytes?: number;
  nanoCpus?: number;
  extraHosts: string[];
  securityOpt: string[];
  logging?: { driver: string; options: Record<string, string> };
  pidsLimit?: number;
}

/** A project, normalised. */
export interface ProjectSpec {
  services: ServiceSpec[];
  networks: Record<string, { external: boolean; name?: string; driver?: string; subnet?: string }>;
  volumes: Record<string, { external: boolean; name?: string; driver?: string }>;
  warnings: ComposeIssue[];
}

const SERVICE_KEYS = new Set([
  "image",
  "container_name",
  "command",
  "entrypoint",
  "environment",
  "env_file",
  "ports",
  "volumes",
  "networks",
  "restart",
  "labels",
  "depends_on",
  "healthcheck",
  "user",
  "working_dir",
  "cap_add",
  "cap_drop",
  "mem_limit",
  "cpus",
  "deploy",
  "extra_hosts",
  "security_opt",
  "logging",
  "pids_limit",
]);

/** Replaces `${VAR}`, `${VAR:-default}`, `${VAR-default}` and `$VAR`; `$$` is a literal `$`. */
export function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (whole, braced, op, fallback, bare) => {
      if (whole === "$$") return "$";
      const name = braced ?? bare;
      const value = env[name];
      if (op === ":-") return value ? value : fallback;
      if (op === "-") return value !== undefined ? value : fallback;
      return value ?? "";
    },
  );
}

/** Parses a `.env` file: `KEY=value` lines, `#` comments, optional quotes. */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let value = m[2];
    if (/^"(.*)"$/.test(value)) {
      value = value.slice(1, -1).replace(/\\n/g, "\n").replace(/\\"/g, '"');
    } else if (/^'(.*)'$/.test(value)) value = value.slice(1, -1);
    else value = value.replace(/\s+#.*$/, "");
    out[m[1]] = value;
  }
  return out;
}

/** Go-style durations ("1m30s", "10s", "500ms") in nanoseconds. */
export function durationNs(text: string): number {
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;
  const units: Record<string, number> = {
    ns: 1,
    us: 1e3,
    "µs": 1e3,
    ms: 1e6,
    s: 1e9,
    m: 60e9,
    h: 3600e9,
  };
  let total = 0;
  let consumed = 0;
  for (const m of text.matchAll(re)) {
    total += Number(m[1]) * units[m[2]];
    consumed += m[0].length;
  }
  if (!consumed || consumed !== text.length) {
    throw new Error(`"${text}" is not a duration like 30s`);
  }
  return Math.round(total);
}

/** Splits a command string into words like a POSIX shell (quotes and backslashes; no expansion). */
export function shellWords(text: string): string[] {
  const words: string[] = [];
  let current = "";
  let quote: '"' | "'" | null = null;
  let started = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === quote) quote = null;
      else if (ch === "\\" && quote === '"' && i + 1 < text.length && /["\\$`]/.test(text[i + 1])) {
        current += text[++i];
      } else current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      started = true;
    } else if (ch === "\\" && i + 1 < text.length) {
      if (text[i + 1] === "\n") i++;
      else (current += text[++i], started = true);
    } else if (/\s/.test(ch)) {
      if (started || current) words.push(current);
      current = "";
      started = false;
    } else {
      current += ch;
      started = true;
    }
  }
  if (quote) throw new Error("An unterminated quote");
  if (started || current) words.push(current);
  return words;
}

/** Parses, interpolates and checks a compose file; throws ComposeError with line numbers. */
export function parseCompose(text: string, env: Record<string, string> = {}): ProjectSpec {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  const issues: ComposeIssue[] = [];
  const warnings: ComposeIssue[] = [];
  for (const e of doc.errors) {
    issues.push({
      path: "",
      line: e.linePos?.[0]?.line ?? null,
      message: e.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, ""),
    });
  }
  if (issues.length) throw new ComposeError(issues);
  // The line of the node at `path`, or of its nearest ancestor when it does not exist.
  const lineOf = (path: (string | number)[]): number | null => {
    for (let n = path.length; n > 0; n--) {
      const node = doc.getIn(path.slice(0, n), true) as
        | { range?: [number, number, number] }
        | undefined;
      if (node?.range) return lines.linePos(node.range[0]).line;
    }
    return null;
  };
  const fail = (path: (string | number)[], message: string) =>
    issues.push({ path: path.join("."), line: lineOf(path), message });
  const warn = (path: (string | number)[], message: string) =>
    warnings.push({ path: path.join("."), line: lineOf(path), message });
  const raw = interpolateDeep(doc.toJS({ maxAliasCount: 100 }), env);
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) {
    throw new ComposeError([{ path: "", line: 1, message: "The file is not a mapping" }]);
  }
  const top = raw as Record<string, unknown>;
  for (const key of Object.keys(top)) {
    if (!["services", "networks", "volumes", "version", "name"].includes(key)) {
      warn([key], `"${key}" is not deployed by Bosun`);
    }
  }
  const servicesRaw = top.services;
  if (!servicesRaw || typeof servicesRaw !== "object" || Array.isArray(servicesRaw)) {
    fail(["services"], "services must be a mapping of service names");
    throw new ComposeError(issues);
  }
  const networks: ProjectSpec["networks"] = {};
  for (const [name, def] of Object.entries((top.networks ?? {}) as Record<string, unknown>)) {
    const d = (def ?? {}) as Record<string, unknown>;
    const ipam = d.ipam as { config?: { subnet?: string }[] } | undefined;
    networks[name] = {
      external: Boolean(d.external),
      name: typeof d.name === "string" ? d.name : undefined,
      driver: typeof d.driver === "string" ? d.driver : undefined,
      subnet: ipam?.config?.[0]?.subnet,
    };
    for (const k of Object.keys(d)) {
      if (!["external", "name", "driver", "ipam", "labels"].includes(k)) {
        warn(["networks", name, k], `networks.${name}.${k} is not deployed by Bosun`);
      }
    }
  }
  const volumes: ProjectSpec["volumes"] = {};
  for (const [name, def] of Object.entries((top.volumes ?? {}) as Record<string, unknown>)) {
    const d = (def ?? {}) as Record<string, unknown>;
    volumes[name] = {
      external: Boolean(d.external),
      name: typeof d.name === "string" ? d.name : undefined,
      driver: typeof d.driver === "string" ? d.driver : undefined,
    };
  }
  const services: ServiceSpec[] = [];
  const names = Object.keys(servicesRaw as Record<string, unknown>);
  for (const name of names) {
    const s = ((servicesRaw as Record<string, unknown>)[name] ?? {}) as Record<string, unknown>;
    const at = (...p: (string | number)[]) => ["services", name, ...p];
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name)) {
      fail(at(), "a service name uses letters, digits, '_', '.', '-'");
    }
    for (const key of Object.keys(s)) {
      if (!SERVICE_KEYS.has(key)) {
        warn(at(key), `"${key}" is not supported by Bosun's deploy and is ignored`);
      }
    }
    try {
      services.push(service(name, s, env, at, warn, fail));
    } catch (err) {
      fail(at(), (err as Error).message);
    }
  }
  for (const svc of services) {
    for (const d of svc.dependsOn) {
      if (!names.includes(d.service)) {
        fail(["services", svc.name, "depends_on"], `depends on unknown service "${d.service}"`);
      }
    }
    for (const n of svc.networks) {
      if (n.name !== "default" && !(n.name in networks)) {
        fail(["services", svc.name, "networks"], `uses the undeclared network "${n.name}"`);
      }
    }
    for (const v of svc.volumes) {
      if (v.type === "volume" && v.source && !(v.source in volumes)) {
        fail(["services", svc.name, "volumes"], `uses the undeclared volume "${v.source}"`);
      }
    }
  }
  if (issues.length) throw new ComposeError(issues);
  orderServices(services); // throws on a cycle
  return { services, networks, volumes, warnings };
}

function interpolateDeep(value: unknown, env: Record<string, string>): unknown {
  if (typeof value === "string") return interpolate(value, env);
  if (Array.isArray(value)) return value.map((v) => interpolateDeep(v, env));
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, interpolateDeep(v, env)]),
    );
  }
  return value;
}

const words = (v: unknown): string[] | undefined =>
  v === undefined || v === null
    ? undefined
    : Array.isArray(v)
    ? v.map(String)
    : shellWords(String(v));

function keyValues(v: unknown, what: string): Record<string, string> {
  if (!v) return {};
  if (Array.isArray(v)) {
    return Object.fromEntries(v.map((e) => {
      const text = String(e);
      const i = text.indexOf("=");
      return i < 0 ? [text, ""] : [text.slice(0, i), text.slice(i + 1)];
    }));
  }
  if (typeof v === "object") {
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>).map((
        [k, x],
      ) => [k, x === null ? "" : String(x)]),
    );
  }
  throw new Error(`${what} must be a list or a mapping`);
}

/** Parses `[host_ip:][published:]target[/proto]` (ranges are not supported). */
export function parsePort(v: unknown): PortSpec {
  if (typeof v === "number") return { target: v, protocol: "tcp" };
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return {
      target: Number(o.target),
      published: o.published === undefined ? undefined : Number(o.published),
      hostIp: o.host_ip ? String(o.host_ip) : undefined,
      protocol: o.protocol === "udp" ? "udp" : "tcp",
    };
  }
  const text = String(v);
  // "127.0.0.1::80" publishes on a free port of that address.
  const m = /^(?:(\[[^\]]+\]|[\d.]+):)?(?:(\d*):)?(\d+)(?:\/(tcp|udp))?$/.exec(text);
  if (!m) throw new Error(`"${text}" is not a port like 8080:80 or 127.0.0.1:8080:80/udp`);
  return {
    hostIp: m[1]?.replace(/^\[|\]$/g, ""),
    published: m[2] ? Number(m[2]) : undefined,
    target: Number(m[3]),
    protocol: (m[4] as "tcp" | "udp") ?? "tcp",
  };
}

/** Parses `source:target[:ro|rw]` or the long form. */
export function parseMount(v: unknown): MountSpec {
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    const type = o.type === "bind" ? "bind" : "volume";
    return {
      type,
      source: o.source ? String(o.source) : undefined,
      target: String(o.target),
      readOnly: Boolean(o.read_only),
    };
  }
  const parts = String(v).split(":");
  if (parts.length === 1) return { type: "volume", target: parts[0], readOnly: false };
  const [source, target, mode] = parts;
  if (!target?.startsWith("/")) throw new Error(`"${v}" needs an absolute target path`);
  const bind = source.startsWith("/") || source.startsWith(".") || source.startsWith("~");
  return {
    type: bind ? "bind" : "volume",
    source,
    target,
    readOnly: (mode ?? "").split(",").includes("ro"),
  };
}

function service(
  name: string,
  s: Record<string, unknown>,
  _env: Record<string, string>,
  at: (...p: (string | number)[]) => (string | number)[],
  warn: (p: (string | number)[], m: string) => void,
  fail: (p: (string | number)[], m: string) => void,
): ServiceSpec {
  if (typeof s.image !== "string" || !s.image) {
    fail(at("image"), "every service needs an image (build is not supported)");
  }
  const deploy = (s.deploy ?? {}) as Record<string, unknown>;
  const limits =
    ((deploy.resources as Record<string, unknown> | undefined)?.limits ?? {}) as Record<
      string,
      unknown
    >;
  for (const k of Object.keys(deploy)) {
    if (k !== "resources") warn(at("deploy", k), `deploy.${k} is ignored outside a swarm`);
  }
  const networks: ServiceNetwork[] = [];
  if (Array.isArray(s.networks)) {
    for (const n of s.networks) networks.push({ name: String(n), aliases: [] });
  } else if (s.networks && typeof s.networks === "object") {
    for (const [n, d] of Object.entries(s.networks as Record<string, unknown>)) {
      const o = (d ?? {}) as Record<string, unknown>;
      networks.push({
        name: n,
        ipv4Address: o.ipv4_address ? String(o.ipv4_address) : undefined,
        aliases: Array.isArray(o.aliases) ? o.aliases.map(String) : [],
      });
    }
  }
  const dependsOn: ServiceSpec["dependsOn"] = [];
  if (Array.isArray(s.depends_on)) {
    for (const d of s.depends_on) {
      dependsOn.push({ service: String(d), condition: "service_started" });
    }
  } else if (s.depends_on && typeof s.depends_on === "object") {
    for (const [d, o] of Object.entries(s.depends_on as Record<string, unknown>)) {
      const condition = String(
        (o as Record<string, unknown> | null)?.condition ?? "service_started",
      );
      if (
        !["service_started", "service_healthy", "service_completed_successfully"].includes(
          condition,
        )
      ) {
        fail(at("depends_on", d), `unknown condition "${condition}"`);
      }
      dependsOn.push({
        service: d,
        condition: condition as ServiceSpec["dependsOn"][number]["condition"],
      });
    }
  }
  let healthcheck: ServiceSpec["healthcheck"];
  if (s.healthcheck && typeof s.healthcheck === "object") {
    const h = s.healthcheck as Record<string, unknown>;
    if (h.disable) healthcheck = "disable";
    else {
      const test = Array.isArray(h.test)
        ? h.test.map(String)
        : h.test
        ? ["CMD-SHELL", String(h.test)]
        : [];
      if (test[0] === "NONE") healthcheck = "disable";
      else {
        healthcheck = {
          test,
          interval: h.interval ? durationNs(String(h.interval)) : undefined,
          timeout: h.timeout ? durationNs(String(h.timeout)) : undefined,
          retries: h.retries === undefined ? undefined : Number(h.retries),
          startPeriod: h.start_period ? durationNs(String(h.start_period)) : undefined,
        };
      }
    }
  }
  const memory = s.mem_limit ?? limits.memory;
  const cpus = s.cpus ?? limits.cpus;
  const extraHosts = Array.isArray(s.extra_hosts)
    ? s.extra_hosts.map(String)
    : Object.entries(keyValues(s.extra_hosts, "extra_hosts")).map(([h, ip]) => `${h}:${ip}`);
  return {
    name,
    image: String(s.image ?? ""),
    containerName: s.container_name ? String(s.container_name) : undefined,
    command: words(s.command),
    entrypoint: words(s.entrypoint),
    environment: keyValues(s.environment, "environment"),
    envFiles: envFiles(s.env_file),
    ports: ((s.ports ?? []) as unknown[]).map(parsePort),
    volumes: ((s.volumes ?? []) as unknown[]).map(parseMount),
    networks,
    restart: s.restart ? String(s.restart) : undefined,
    labels: keyValues(s.labels, "labels"),
    dependsOn,
    healthcheck,
    user: s.user !== undefined ? String(s.user) : undefined,
    workingDir: s.working_dir ? String(s.working_dir) : undefined,
    capAdd: ((s.cap_add ?? []) as unknown[]).map(String),
    capDrop: ((s.cap_drop ?? []) as unknown[]).map(String),
    memoryBytes: memory === undefined ? undefined : parseDockerSize(memory as string),
    nanoCpus: cpus === undefined ? undefined : Math.round(Number(cpus) * 1e9),
    extraHosts,
    securityOpt: ((s.security_opt ?? []) as unknown[]).map(String),
    logging: s.logging && typeof s.logging === "object"
      ? {
        driver: String((s.logging as Record<string, unknown>).driver ?? "json-file"),
        options: keyValues((s.logging as Record<string, unknown>).options, "logging.options"),
      }
      : undefined,
    pidsLimit: s.pids_limit === undefined ? undefined : Number(s.pids_limit),
  };
}

/** `env_file` as a list of paths inside the stack folder. */
function envFiles(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  const list = (Array.isArray(v) ? v : [v]).map((e) =>
    typeof e === "object" && e ? String((e as { path?: unknown }).path ?? "") : String(e)
  );
  for (const f of list) {
    if (!f || f.startsWith("/") || f.split("/").includes("..")) {
      throw new Error(`env_file "${f}" must be a path inside the stack folder`);
    }
  }
  return list;
}

/** Orders services so each comes after what it depends on; throws on a cycle. */
export function orderServices(services: ServiceSpec[]): ServiceSpec[] {
  const byName = new Map(services.map((s) => [s.name, s]));
  const done = new Set<string>();
  const visiting = new Set<string>();
  const out: ServiceSpec[] = [];
  const visit = (s: ServiceSpec, trail: string[]) => {
    if (done.has(s.name)) return;
    if (visiting.has(s.name)) {
      throw new ComposeError([{
        path: `services.${s.name}.depends_on`,
        line: null,
        message: `a dependency cycle: ${[...trail, s.name].join(" → ")}`,
      }]);
    }
    visiting.add(s.name);
    for (const d of s.dependsOn) {
      const dep = byName.get(d.service);
      if (dep) visit(dep, [...trail, s.name]);
    }
    visiting.delete(s.name);
    done.add(s.name);
    out.push(s);
  };
  for (const s of services) visit(s, []);
  return out;
}

// Keep the yaml type guards referenced for documents built elsewhere.
export type { Document };
export { isMap, isScalar, isSeq };
