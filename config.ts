/**
 * Bosun's configuration: command-line flags > environment (`BOSUN_*`, `DOCKER_*`) > defaults.
 * The only module that reads `Deno.env`.
 */
import { parseArgs } from "node:util";
import { z } from "zod";

/** Where the data directory lives by default, per way of running Bosun. */
export const DEFAULT_DATA_DIRS = { source: "./data", binary: "/var/lib/bosun", image: "/data" };

/** Data-directory roots the compiled binary's permissions allow (baked by `deno task compile`). */
export const BINARY_DATA_ROOTS = ["/data", "/var/lib/bosun"];

interface OptionSpec {
  flag: string;
  env?: string;
  help: string;
  default?: string;
  boolean?: boolean;
}

/** Every option Bosun understands, in `--help` order. */
export const OPTIONS: Record<string, OptionSpec> = {
  port: { flag: "port", env: "BOSUN_PORT", help: "HTTP(S) port", default: "8420" },
  listen: { flag: "listen", env: "BOSUN_LISTEN", help: "address to listen on", default: "0.0.0.0" },
  dataDir: {
    flag: "data-dir",
    env: "BOSUN_DATA_DIR",
    help: "data directory (./data from source, /var/lib/bosun for the binary, /data in the image)",
  },
  dockerHost: {
    flag: "docker-host",
    env: "DOCKER_HOST",
    help: "Docker engine: unix:///path or tcp://host:port",
    default: "unix:///var/run/docker.sock",
  },
  dockerCertPath: {
    flag: "docker-cert-path",
    env: "DOCKER_CERT_PATH",
    help: "directory with ca.pem, cert.pem, key.pem for tcp:// with TLS",
  },
  dockerTimeout: {
    flag: "docker-timeout",
    env: "BOSUN_DOCKER_TIMEOUT",
    help: "timeout of one Engine API control call",
    default: "30s",
  },
  dockerCheckInterval: {
    flag: "docker-check-interval",
    env: "BOSUN_DOCKER_CHECK_INTERVAL",
    help: "how often the engine's reachability is checked",
    default: "5s",
  },
  statsInterval: {
    flag: "stats-interval",
    env: "BOSUN_STATS_INTERVAL",
    help: "how often every container's stats are refreshed in the background",
    default: "5m",
  },
  selfContainer: {
    flag: "self-container",
    env: "BOSUN_SELF_CONTAINER",
    help: "name or id of Bosun's own container, when its host name is not the container id",
  },
  publicUrl: {
    flag: "public-url",
    env: "BOSUN_PUBLIC_URL",
    help: "URL users reach Bosun at (e.g. https://bosun.lan); its host is allowed",
  },
  trustedProxies: {
    flag: "trusted-proxy",
    env: "BOSUN_TRUSTED_PROXIES",
    help: "comma-separated proxy IPs whose X-Forwarded-For/-Proto are believed",
  },
  allowedHosts: {
    flag: "allowed-hosts",
    env: "BOSUN_ALLOWED_HOSTS",
    help: "comma-separated extra host names accepted in the Host header (IPs, localhost and " +
      "this machine's name always are)",
  },
  tls: {
    flag: "tls",
    env: "BOSUN_TLS",
    help: "off | files (needs --tls-cert/--tls-key) | self-signed (generated on first run)",
    default: "off",
  },
  tlsCert: { flag: "tls-cert", env: "BOSUN_TLS_CERT", help: "PEM certificate file" },
  tlsKey: { flag: "tls-key", env: "BOSUN_TLS_KEY", help: "PEM private key file" },
  forceHttps: {
    flag: "force-https",
    env: "BOSUN_FORCE_HTTPS",
    help: "redirect plain HTTP requests to HTTPS",
    boolean: true,
  },
  sessionIdle: {
    flag: "session-idle",
    env: "BOSUN_SESSION_IDLE",
    help: "idle expiry of a session",
    default: "8h",
  },
  sessionMax: {
    flag: "session-max",
    env: "BOSUN_SESSION_MAX",
    help: "absolute lifetime of a session",
    default: "24h",
  },
  sessionRemember: {
    flag: "session-remember",
    env: "BOSUN_SESSION_REMEMBER",
    help: "lifetime of a 'remember me' session",
    default: "7d",
  },
  rateLimitMinute: {
    flag: "rate-limit-minute",
    env: "BOSUN_RATE_LIMIT_MINUTE",
    help: "API requests per minute per IP",
    default: "100",
  },
  rateLimitHour: {
    flag: "rate-limit-hour",
    env: "BOSUN_RATE_LIMIT_HOUR",
    help: "API requests per hour per IP",
    default: "1000",
  },
  loginLimitMinute: {
    flag: "login-limit-minute",
    env: "BOSUN_LOGIN_LIMIT_MINUTE",
    help: "login attempts per minute per IP",
    default: "5",
  },
  uploadMax: {
    flag: "upload-max",
    env: "BOSUN_UPLOAD_MAX",
    help: "largest backup file accepted by upload (e.g. 512MiB, 20GiB)",
    default: "20GiB",
  },
  uploadMaxUnpacked: {
    flag: "upload-max-unpacked",
    env: "BOSUN_UPLOAD_MAX_UNPACKED",
    help: "largest unpacked size of an uploaded backup (refuses compression bombs)",
    default: "200GiB",
  },
  uploadMaxEntries: {
    flag: "upload-max-entries",
    env: "BOSUN_UPLOAD_MAX_ENTRIES",
    help: "most archive entries in an uploaded backup",
    default: "10000000",
  },
  uploadsPerHour: {
    flag: "uploads-per-hour",
    env: "BOSUN_UPLOADS_PER_HOUR",
    help: "backup uploads allowed per hour per IP",
    default: "10",
  },
  restoresPerHour: {
    flag: "restores-per-hour",
    env: "BOSUN_RESTORES_PER_HOUR",
    help: "restores allowed per hour per IP",
    default: "20",
  },
  updatesPerHour: {
    flag: "updates-per-hour",
    env: "BOSUN_UPDATES_PER_HOUR",
    help: 'update requests allowed per hour per IP ("update all" counts once)',
    default: "10",
  },
  updateHealthTimeout: {
    flag: "update-health-timeout",
    env: "BOSUN_UPDATE_HEALTH_TIMEOUT",
    help: "how long an updated container with a healthcheck may take to become healthy",
    default: "2m",
  },
  auditRetention: {
    flag: "audit-retention",
    env: "BOSUN_AUDIT_RETENTION",
    help: "how long audit log rows are kept",
    default: "180d",
  },
  scheduleGrace: {
    flag: "schedule-grace",
    env: "BOSUN_SCHEDULE_GRACE",
    help: "a scheduled run missed while Bosun was down runs at start-up if at most this late",
    default: "1h",
  },
  downloadLinkTtl: {
    flag: "download-link-ttl",
    env: "BOSUN_DOWNLOAD_LINK_TTL",
    help: "default lifetime of a backup download link",
    default: "24h",
  },
  logLevel: {
    flag: "log-level",
    env: "BOSUN_LOG_LEVEL",
    help: "debug | info | warn | error",
    default: "info",
  },
};

const DurationSchema = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined) {
    ctx.addIssue({ code: "custom", message: `"${text}" is not a duration like 30s, 5m, 8h, 7d` });
    return z.NEVER;
  }
  return ms;
});

const SizeSchema = z.string().transform((text, ctx) => {
  const bytes = parseSize(text);
  if (bytes === undefined) {
    ctx.addIssue({ code: "custom", message: `"${text}" is not a size like 512MiB, 20GiB` });
    return z.NEVER;
  }
  return bytes;
});

const ListSchema = z.string().transform((s) => s.split(",").map((x) => x.trim()).filter(Boolean));
const IntSchema = z.coerce.number().int();

const RawConfigSchema = z.object({
  port: IntSchema.min(0).max(65535),
  listen: z.string().min(1),
  dataDir: z.string().min(1),
  dockerHost: z.string().regex(/^(unix|tcp):\/\/.+/, "must start with unix:// or tcp://"),
  dockerCertPath: z.string().optional(),
  dockerTimeout: DurationSchema,
  dockerCheckInterval: DurationSchema,
  statsInterval: DurationSchema,
  selfContainer: z.string().optional(),
  publicUrl: z.url().optional(),
  trustedProxies: ListSchema.default([]),
  allowedHosts: ListSchema.default([]),
  tls: z.enum(["off", "files", "self-signed"]),
  tlsCert: z.string().optional(),
  tlsKey: z.string().optional(),
  forceHttps: z.boolean(),
  sessionIdle: DurationSchema,
  sessionMax: DurationSchema,
  sessionRemember: DurationSchema,
  rateLimitMinute: IntSchema.min(1),
  rateLimitHour: IntSchema.min(1),
  loginLimitMinute: IntSchema.min(1),
  uploadMax: SizeSchema,
  uploadMaxUnpacked: SizeSchema,
  uploadMaxEntries: IntSchema.min(1),
  uploadsPerHour: IntSchema.min(1),
  restoresPerHour: IntSchema.min(1),
  updatesPerHour: IntSchema.min(1),
  updateHealthTimeout: DurationSchema,
  downloadLinkTtl: DurationSchema,
  scheduleGrace: DurationSchema,
  auditRetention: DurationSchema,
  logLevel: z.enum(["debug", "info", "warn", "error"]),
});

/** Bosun's validated configuration; durations are in milliseconds. */
export type Config = z.output<typeof RawConfigSchema> & {
  adminPassword?: string;
  command: "serve" | "reset-password" | "restore-config" | "help" | "version";
  /** `restore-config <file>`: the configuration backup to restore. */
  configFile?: string;
  /** `BOSUN_CONFIG_PASSPHRASE`: opens the secret key of a configuration backup. */
  configPassphrase?: string;
  isBinary: boolean;
};

/** Raised for configuration that cannot work; `main.ts` prints it and exits. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Parses "512MiB", "20GiB", "1.5TB", "100KB" or plain bytes into bytes. */
export function parseSize(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)?$/i.exec(text.trim());
  if (!m) return undefined;
  const units: Record<string, number> = {
    b: 1,
    kb: 1e3,
    mb: 1e6,
    gb: 1e9,
    tb: 1e12,
    kib: 1024,
    mib: 1024 ** 2,
    gib: 1024 ** 3,
    tib: 1024 ** 4,
  };
  return Math.round(Number(m[1]) * units[(m[2] ?? "b").toLowerCase()]);
}

/** Parses "500ms", "30s", "5m", "8h", "7d" or plain seconds into milliseconds. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!m) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] ?? "s"]!;
  return Math.round(Number(m[1]) * unit);
}

/** Reads flags, then environment, then defaults; throws ConfigError with the reason. */
export function loadConfig(args: string[], env: (name: string) => string | undefined): Config {
  const parseOptions: Record<string, { type: "string" | "boolean" }> = {
    help: { type: "boolean" },
    version: { type: "boolean" },
    binary: { type: "boolean" },
  };
  for (const spec of Object.values(OPTIONS)) {
    parseOptions[spec.flag] = { type: spec.boolean ? "boolean" : "string" };
  }
  let parsed;
  try {
    parsed = parseArgs({ args, options: parseOptions, allowPositionals: true, strict: true });
  } catch (err) {
    throw new ConfigError(`${(err as Error).message}; run with --help for the options`);
  }
  const { values, positionals } = parsed;
  const isBinary = values.binary === true;
  const raw: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(OPTIONS)) {
    const fromFlag = values[spec.flag];
    const fromEnv = spec.env ? env(spec.env) : undefined;
    if (spec.boolean) {
      raw[key] = fromFlag === true || (fromEnv !== undefined && /^(1|true|yes)$/i.test(fromEnv));
    } else {
      raw[key] = fromFlag ?? (fromEnv === "" ? undefined : fromEnv) ?? spec.default;
    }
  }
  raw.dataDir ??= isBinary ? DEFAULT_DATA_DIRS.binary : DEFAULT_DATA_DIRS.source;
  const result = RawConfigSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const spec = OPTIONS[String(issue.path[0])];
    throw new ConfigError(`Invalid --${spec?.flag ?? issue.path.join(".")}: ${issue.message}`);
  }
  const config = result.data;
  if (config.tls === "files" && (!config.tlsCert || !config.tlsKey)) {
    throw new ConfigError("--tls files needs both --tls-cert and --tls-key");
  }
  if (config.tlsCert && config.tlsKey && config.tls === "off") config.tls = "files";
  const command = values.help
    ? "help"
    : values.version
    ? "version"
    : positionals[0] === "reset-password"
    ? "reset-password"
    : positionals[0] === "restore-config" && positionals.length === 2
    ? "restore-config"
    : positionals.length === 0
    ? "serve"
    : undefined;
  if (!command) throw new ConfigError(`Unknown command "${positionals[0]}"; run with --help`);
  return {
    ...config,
    adminPassword: env("BOSUN_ADMIN_PASSWORD") || undefined,
    configFile: command === "restore-config" ? positionals[1] : undefined,
    configPassphrase: env("BOSUN_CONFIG_PASSPHRASE") || undefined,
    command,
    isBinary,
  };
}

/** Text printed by `bosun --help`. */
export function helpText(): string {
  const lines = [
    "Bosun — runs a home lab's Docker host and keeps it safe.",
    "",
    "Usage: bosun [options]                 serve the web UI and API",
    "       bosun reset-password [options]  print a one-time password (change forced at login)",
    "       bosun restore-config <file>     restore a configuration backup into a fresh data",
    "                                       directory (BOSUN_CONFIG_PASSPHRASE opens its key)",
    "",
    "Options (flag, environment variable, default):",
  ];
  for (const spec of Object.values(OPTIONS)) {
    const flag = `--${spec.flag}${spec.boolean ? "" : " <value>"}`;
    lines.push(`  ${flag.padEnd(28)} ${spec.help}`);
    const extra = [spec.env, spec.default ? `default ${spec.default}` : ""].filter(Boolean);
    if (extra.length) lines.push(`  ${"".padEnd(28)} (${extra.join(", ")})`);
  }
  lines.push(
    `  ${"--help".padEnd(28)} print this text`,
    `  ${"--version".padEnd(28)} print the version`,
    "",
    "Environment only: BOSUN_ADMIN_PASSWORD sets the admin password (skips setup; a changed",
    "value revokes all sessions at start).",
  );
  return lines.join("\n");
}

/** Reads an environment variable, or undefined when it is unset or not permitted. */
export function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}
