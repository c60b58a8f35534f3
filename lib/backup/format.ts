/** The backup file format's names, escapes and records (DESIGN.md "Backups"). */
import { z } from "zod";

/** Format identifier and version written into every manifest. */
export const FORMAT = { name: "bosun-backup", version: 1 } as const;

/** Compression of the whole tar. */
export const COMPRESSIONS = ["gzip", "zstd"] as const;
/** Compression of the whole tar. */
export type Compression = (typeof COMPRESSIONS)[number];

/** File extension per compression. */
export const EXTENSIONS: Record<Compression, string> = { gzip: ".tar.gz", zstd: ".tar.zst" };

/** A name safe in a file name: letters, digits, '.', '_', '-' only. */
export function safeNamePart(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^[._-]+/, "").slice(0, 80) || "x";
}

/** The UTC time as file names carry it: `20261124T200102Z`. */
export function fileStamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
}

/** `<server>__<container>__<UTC time>.tar.gz` */
export function backupFileName(
  server: string,
  container: string,
  created: Date,
  c: Compression,
): string {
  return `${safeNamePart(server)}__${safeNamePart(container)}__${fileStamp(created)}${
    EXTENSIONS[c]
  }`;
}

/** The archive member prefix of a bind mount: `binds/<source, percent-encoded>`. */
export function bindMember(source: string): string {
  return `binds/${encodeURIComponent(source.replace(/^\/+/, "")) || "%2F"}`;
}

/** True for names Bosun itself writes into the vault (no traversal, known extension). */
export function isBackupFileName(name: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]*\.tar\.(gz|zst)$/.test(name) && !name.includes("..");
}

/**
 * One `SHA256SUMS` line, escaped the way GNU coreutils does for names with a backslash, a
 * newline or a carriage return (the line then starts with `\`), so `sha256sum -c` reads it.
 */
export function sumLine(hash: string, path: string): string {
  if (!/[\\\n\r]/.test(path)) return `${hash}  ${path}\n`;
  const escaped = path.replaceAll("\\", "\\\\").replaceAll("\n", "\\n").replaceAll("\r", "\\r");
  return `\\${hash}  ${escaped}\n`;
}

/** Parses `SHA256SUMS` text back into path → hash. */
export function parseSums(text: string): Map<string, string> {
  const sums = new Map<string, string>();
  for (const line of text.split("\n")) {
    if (!line) continue;
    const escaped = line.startsWith("\\");
    const body = escaped ? line.slice(1) : line;
    const hash = body.slice(0, 64);
    let path = body.slice(66);
    if (escaped) {
      path = path.replace(/\\(\\|n|r)/g, (_m, c) => c === "n" ? "\n" : c === "r" ? "\r" : "\\");
    }
    sums.set(path, hash);
  }
  return sums;
}

/** The manifest: first member of every backup. */
export const ManifestSchema = z.object({
  format: z.literal(FORMAT.name),
  formatVersion: z.number(),
  tool: z.string(),
  server: z.string(),
  created: z.string(),
  type: z.enum(["manual", "scheduled"]),
  /** The schedule that made a scheduled backup (its retention applies only to those). */
  schedule: z.string().optional(),
  consistency: z.enum(["live", "pause", "stop"]),
  container: z.object({
    id: z.string(),
    name: z.string(),
    image: z.string(),
    imageId: z.string(),
    imageDigests: z.array(z.string()),
    state: z.string(),
  }),
  volumes: z.array(z.object({
    name: z.string(),
    destination: z.string(),
    anonymous: z.boolean(),
    readOnly: z.boolean(),
    /** False when the volume was left out of this backup. */
    included: z.boolean().default(true),
    driver: z.string().default("local"),
    driverOpts: z.record(z.string(), z.string()).default({}),
    labels: z.record(z.string(), z.string()).default({}),
  })),
  binds: z.array(z.object({
    source: z.string(),
    destination: z.string(),
    included: z.boolean(),
    /** The member (a file) or member prefix (a directory, with "/") in the archive. */
    member: z.string().optional(),
  })),
  image: z.object({ included: z.boolean(), reference: z.string().optional() }),
  /** "stack": several containers (`containers/<name>/container.json`); `container` names the project. */
  kind: z.enum(["container", "stack"]).default("container"),
  stack: z.object({
    project: z.string(),
    containers: z.array(z.object({
      id: z.string(),
      name: z.string(),
      image: z.string(),
      imageId: z.string(),
      state: z.string(),
    })),
  }).optional(),
  /** Custom networks whose definitions are stored under `networks/<name>.json`. */
  networks: z.array(z.string()).default([]),
  commands: z.object({
    pre: z.array(z.string()).optional(),
    post: z.array(z.string()).optional(),
  }).default({}),
});
/** The manifest. */
export type Manifest = z.infer<typeof ManifestSchema>;

/** The sidecar `<file>.json`: what the vault lists without opening archives. */
export const SidecarSchema = z.object({
  file: z.string(),
  size: z.number(),
  sha256: z.string(),
  compression: z.enum(COMPRESSIONS),
  /** Bytes of file content read from the engine (an estimate for the next backup's ETA). */
  unpackedSize: z.number().optional(),
  manifest: ManifestSchema,
});
/** The sidecar. */
export type Sidecar = z.infer<typeof SidecarSchema>;
