/**
 * Log analysis on demand: the last lines of a container's log counted by level, the error
 * rate per minute, the most common error messages (normalised: numbers, ids, addresses and
 * paths folded), and plain-language suggestions from known failure patterns.
 */

/** One line to analyse. */
export interface AnalysedLine {
  text: string;
  /** RFC 3339 time, when the engine gave one. */
  time?: string;
  stream?: "stdout" | "stderr";
}

/** A known failure pattern and what to do about it. */
export interface Suggestion {
  id: string;
  title: string;
  advice: string;
  /** How many lines matched, and the first one. */
  count: number;
  example: string;
}

/** The analysis. */
export interface LogAnalysis {
  lines: number;
  levels: { error: number; warn: number; info: number; debug: number; other: number };
  /** Errors per minute, for the minutes the lines span (oldest first). */
  errorsPerMinute: { minute: string; errors: number }[];
  topErrors: { message: string; count: number }[];
  suggestions: Suggestion[];
}

const PATTERNS: { id: string; title: string; re: RegExp; advice: string }[] = [
  {
    id: "oom",
    title: "Out of memory (exit 137)",
    re:
      /out of memory|oom[- ]?kill|exit(ed)?( with)?( code| status)?:? ?137|java\.lang\.OutOfMemoryError|cannot allocate memory|MemoryError/i,
    advice:
      "The container ran out of memory and was killed. Raise its memory limit, or lower what the application caches (heap size, worker count).",
  },
  {
    id: "address-in-use",
    title: "Address already in use",
    re: /address already in use|EADDRINUSE|bind: address already|port is already allocated/i,
    advice:
      "Another process or container already listens on that port. Publish a different host port, or stop the other one (Bosun reports port conflicts before creating).",
  },
  {
    id: "volume-permission",
    title: "Permission denied on a volume",
    re: /permission denied|EACCES|operation not permitted|read-only file system/i,
    advice:
      "The process cannot write where it needs to. Check the owner of the volume or bind folder (PUID/PGID or --user), and that it is not mounted read-only.",
  },
  {
    id: "connection-refused",
    title: "Connection refused to a dependency",
    re: /connection refused|ECONNREFUSED|could not connect to (server|database)|no route to host/i,
    advice:
      "A service it depends on is not reachable yet. Start the dependency first (depends_on with a healthcheck), check the host name and port, and that both share a network.",
  },
  {
    id: "dns",
    title: "DNS failure",
    re:
      /name or service not known|no such host|ENOTFOUND|temporary failure in name resolution|could not resolve host|EAI_AGAIN/i,
    advice:
      "A host name did not resolve. Containers find each other by name only on a user-defined network; check the spelling and the network, or the host's DNS.",
  },
  {
    id: "disk-full",
    title: "Disk full",
    re: /no space left on device|ENOSPC|disk (is )?full|quota exceeded/i,
    advice:
      "The disk (or the volume's file system) is full. Free space (prune images, rotate logs, remove old backups) or move the data to a larger disk.",
  },
  {
    id: "missing-env",
    title: "Missing environment variable",
    re:
      /(environment variable|env var(iable)?)\s+\S*\s*(is )?(not set|missing|required|undefined)|missing required (env|environment)|must be set|KeyError: '[A-Z_]+'/i,
    advice:
      "A required setting was not given. Add the variable to the container's environment (or its .env file) and recreate it.",
  },
  {
    id: "certificate",
    title: "Certificate error",
    re:
      /x509|certificate (has )?(expired|is not valid|verify failed|signed by unknown)|SSL(_| )?(routines|error)|self[- ]signed certificate|CERT_HAS_EXPIRED/i,
    advice:
      "A TLS certificate was rejected. Renew an expired certificate, install the CA the other side uses, or fix the host name it was issued for.",
  },
  {
    id: "database-locked",
    title: "Database locked",
    re: /database (is )?locked|SQLITE_BUSY|lock wait timeout|could not obtain lock/i,
    advice:
      "Two writers fought over a database. Make sure only one container uses the database file, and that it is not on a network share that breaks file locks.",
  },
  {
    id: "too-many-files",
    title: "Too many open files",
    re: /too many open files|EMFILE|ENFILE/i,
    advice:
      "The process hit its file descriptor limit. Raise it (--ulimit nofile=65536:65536) or look for a connection or file leak.",
  },
  {
    id: "segfault",
    title: "Crash (segmentation fault)",
    re: /segmentation fault|SIGSEGV|core dumped/i,
    advice:
      "The program crashed. Check the image's architecture matches the host (arm64 vs amd64) and try the previous image version.",
  },
];

const LEVELS: [keyof LogAnalysis["levels"], RegExp][] = [
  [
    "error",
    /\b(error|err|fatal|crit(ical)?|panic|exception|emerg|alert)\b|^E\d{4}|\blevel=(error|fatal)/i,
  ],
  ["warn", /\b(warn(ing)?)\b|\blevel=warn/i],
  ["debug", /\b(debug|trace)\b|\blevel=(debug|trace)/i],
  ["info", /\b(info|notice)\b|\blevel=info/i],
];

/** The level of a line, by its words. */
export function levelOf(text: string): keyof LogAnalysis["levels"] {
  for (const [level, re] of LEVELS) if (re.test(text)) return level;
  return "other";
}

/** Folds what varies between occurrences of the same message. */
export function normaliseMessage(text: string): string {
  return text
    .replace(/^\S*\d{4}-\d{2}-\d{2}[T ][\d:.,]+(Z|[+-]\d{2}:?\d{2})?\S*\s*/, "")
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, "<id>")
    .replace(/\b\d{1,3}(\.\d{1,3}){3}(:\d+)?\b/g, "<ip>")
    .replace(/\b0x[0-9a-f]+\b|\b[0-9a-f]{12,}\b/gi, "<hex>")
    .replace(/(\/[\w.-]+){2,}/g, "<path>")
    .replace(/\d+/g, "N")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 200);
}

/** Analyses log lines. */
export function analyseLog(lines: AnalysedLine[]): LogAnalysis {
  const levels = { error: 0, warn: 0, info: 0, debug: 0, other: 0 };
  const perMinute = new Map<string, number>();
  const messages = new Map<string, number>();
  const found = new Map<string, Suggestion>();
  for (const line of lines) {
    const level = levelOf(line.text);
    levels[level]++;
    const minute = line.time?.slice(0, 16);
    if (minute) perMinute.set(minute, (perMinute.get(minute) ?? 0) + (level === "error" ? 1 : 0));
    if (level === "error") {
      const m = normaliseMessage(line.text);
      messages.set(m, (messages.get(m) ?? 0) + 1);
    }
    for (const p of PATTERNS) {
      if (!p.re.test(line.text)) continue;
      const s = found.get(p.id);
      if (s) s.count++;
      else {found.set(p.id, {
          id: p.id,
          title: p.title,
          advice: p.advice,
          count: 1,
          example: line.text.slice(0, 300),
        });}
    }
  }
  return {
    lines: lines.length,
    levels,
    errorsPerMinute: [...perMinute].sort(([a], [b]) => a.localeCompare(b)).map((
      [minute, errors],
    ) => ({
      minute,
      errors,
    })),
    topErrors: [...messages].sort((a, b) => b[1] - a[1]).slice(0, 10).map(([message, count]) => ({
      message,
      count,
    })),
    suggestions: [...found.values()].sort((a, b) => b.count - a.count),
  };
}

/** The named patterns (for documentation and tests). */
export const PATTERN_IDS = PATTERNS.map((p) => p.id);
