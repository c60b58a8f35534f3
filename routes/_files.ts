/**
 * Sending a file from disk as a download: streamed, with HTTP Range (one range; a resumed
 * `wget -c` or `curl -C -`), a safe Content-Disposition, and the file closed on abort.
 */
import type { Context } from "hono";
import { stream } from "hono/streaming";
import type { AppEnv } from "./_env.ts";

/** Parses one `bytes=` range against `size`; "full" when absent or multi-range, null if unsatisfiable. */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | "full" | null {
  if (!header) return "full";
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return header.startsWith("bytes=") && header.includes(",") ? "full" : null;
  if (m[1] === "" && m[2] === "") return null;
  let start: number;
  let end: number;
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0) return null;
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || start > end) return null;
  return { start, end };
}

/** An attachment filename header that cannot inject: ASCII-safe name plus RFC 5987 form. */
export function contentDisposition(name: string): string {
  const ascii = name.replace(/[^A-Za-z0-9._-]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** Streams `path` (size known) honouring Range. */
export async function sendFile(
  c: Context<AppEnv>,
  path: string,
  options: { name: string; contentType: string; size: number },
): Promise<Response> {
  const range = parseRange(c.req.header("Range"), options.size);
  c.header("Accept-Ranges", "bytes");
  c.header("Content-Type", options.contentType);
  c.header("Content-Disposition", contentDisposition(options.name));
  c.header("Cache-Control", "no-store");
  if (range === null) {
    c.header("Content-Range", `bytes */${options.size}`);
    return c.body(null, 416);
  }
  const { start, end } = range === "full" ? { start: 0, end: options.size - 1 } : range;
  const length = Math.max(0, end - start + 1);
  c.header("Content-Length", String(length));
  if (range !== "full") {
    c.status(206);
    c.header("Content-Range", `bytes ${start}-${end}/${options.size}`);
  }
  if (c.req.method === "HEAD" || length === 0) return c.body(null);
  const f = await Deno.open(path, { read: true });
  if (start) await f.seek(start, Deno.SeekMode.Start);
  return stream(c, async (out) => {
    out.onAbort(() => {
      try {
        f.close();
      } catch { /* closed already */ }
    });
    let left = length;
    const buf = new Uint8Array(256 * 1024);
    try {
      while (left > 0) {
        const n = await f.read(buf.subarray(0, Math.min(buf.length, left)));
        if (n === null) break;
        left -= n;
        await out.write(buf.slice(0, n));
      }
    } finally {
      try {
        f.close();
      } catch { /* closed on abort */ }
    }
  });
}
