/**
 * Receiving an uploaded backup: streamed to a hidden partial file in the vault (never held in
 * memory), size-capped while it arrives, then scanned — structure, safety, caps, every member
 * against SHA256SUMS — and only then named, given its sidecar and listed. Anything refused
 * leaves nothing behind.
 */
import { ConflictError, PayloadTooLargeError, ValidationError } from "../errors.ts";
import { backupFileName, type Compression, type Sidecar } from "./format.ts";
import { storeNetworkUpload } from "./networks.ts";
import { scanArchive } from "./reader.ts";
import { fsyncFile, writeAtomically } from "./writer.ts";

/** Caps on an uploaded archive. */
export interface UploadLimits {
  maxBytes: number;
  maxUnpackedBytes: number;
  maxEntries: number;
}

/** The compression a file starts with, by magic number. */
function sniff(head: Uint8Array): Compression | undefined {
  if (head[0] === 0x1f && head[1] === 0x8b) return "gzip";
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return "zstd";
  return undefined;
}

/** What an upload became: a container (or stack) backup, or a network backup. */
export type Upload = { kind: "archive"; file: string; sidecar: Sidecar } | {
  kind: "network";
  file: string;
};

/** Stores an uploaded archive or network backup in the vault once it has passed every check. */
export async function receiveUpload(
  vaultDir: string,
  request: Request,
  limits: UploadLimits,
): Promise<Upload> {
  const declared = Number(request.headers.get("Content-Length") ?? "NaN");
  if (declared > limits.maxBytes) {
    throw new PayloadTooLargeError(
      `The upload (${declared} bytes) is larger than the limit of ${limits.maxBytes} bytes`,
    );
  }
  if (!request.body) throw new ValidationError("The upload is empty");
  const partial = `${vaultDir}/.upload-${crypto.randomUUID().slice(0, 8)}.partial`;
  try {
    const head = await receive(request.body, partial, limits.maxBytes);
    if (head[0] === 0x7b) { // "{": a network backup (small JSON)
      if ((await Deno.stat(partial)).size > 1024 * 1024) {
        throw new PayloadTooLargeError("A network backup is never larger than 1 MiB");
      }
      return {
        kind: "network",
        file: await storeNetworkUpload(vaultDir, await Deno.readTextFile(partial)),
      };
    }
    const compression = sniff(head);
    if (!compression) {
      throw new ValidationError(
        "Not a Bosun backup: the file is neither a gzip or zstd archive nor a network backup",
      );
    }
    const report = await scanArchive(partial, "(upload)", {
      maxEntries: limits.maxEntries,
      maxUncompressedBytes: limits.maxUnpackedBytes,
    }, compression);
    if (!report.ok || !report.manifest) {
      throw new ValidationError(
        `The upload is not a sound Bosun backup: ${report.error}`,
        [
          ...report.unsafe.map((m) => ({ path: "archive", message: m })),
          ...report.mismatched.map((m) => ({ path: m, message: "does not match SHA256SUMS" })),
        ].slice(0, 20),
      );
    }
    const m = report.manifest;
    const file = backupFileName(m.server, m.container.name, new Date(m.created), compression);
    if (await exists(`${vaultDir}/${file}`)) {
      throw new ConflictError(`The vault already holds "${file}"`);
    }
    await fsyncFile(partial);
    await Deno.rename(partial, `${vaultDir}/${file}`);
    const sidecar: Sidecar = {
      file,
      size: report.wholeFile.size,
      sha256: report.wholeFile.actual!,
      compression,
      manifest: m,
    };
    await writeAtomically(`${vaultDir}/${file}.json`, JSON.stringify(sidecar, null, 2));
    return { kind: "archive", file, sidecar };
  } finally {
    await Deno.remove(partial).catch(() => {});
  }
}

/** Writes the body to `path`, refusing it past `maxBytes`; resolves with its first bytes. */
async function receive(
  body: ReadableStream<Uint8Array>,
  path: string,
  maxBytes: number,
): Promise<Uint8Array> {
  const out = await Deno.open(path, { createNew: true, write: true, mode: 0o600 });
  let received = 0;
  let head = new Uint8Array(0);
  try {
    for await (const chunk of body) {
      received += chunk.length;
      if (received > maxBytes) {
        throw new PayloadTooLargeError(`The upload is larger than the limit of ${maxBytes} bytes`);
      }
      if (head.length < 4) head = new Uint8Array([...head, ...chunk.subarray(0, 4)]);
      let written = 0;
      while (written < chunk.length) written += await out.write(chunk.subarray(written));
    }
  } finally {
    out.close();
  }
  if (!received) throw new ValidationError("The upload is empty");
  return head;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}
