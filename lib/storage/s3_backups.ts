/**
 * Backups on S3: a vault backup is copied with a multipart upload (each part with its
 * Content-MD5, read from the file one part at a time — no second copy on disk), counted as
 * stored only when the composite ETag computed while uploading equals the server's and the
 * sidecar is stored beside it; a failed or cancelled upload is aborted (no orphan parts).
 * Listing reads the sidecars; verify re-downloads and re-hashes (never trusts the ETag).
 */
import { createHash } from "node:crypto";
import { isBackupFileName, type Sidecar, SidecarSchema } from "../backup/format.ts";
import { scanArchive, type VerifyReport } from "../backup/reader.ts";
import { readSidecar } from "../backup/reader.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { type S3Client, S3Error } from "./s3_client.ts";

const MIB = 1024 * 1024;

/** Part size: 8 MiB, larger for files that would need more than 9,000 parts. */
export function partSize(size: number): number {
  return Math.max(8 * MIB, Math.ceil(size / 9000 / MIB) * MIB);
}

/**
 * Retries a call up to three times with backoff (1, 2, 4 s) when the server or the network
 * failed; client errors (4xx: wrong keys, no bucket) are not retried.
 */
async function withRetries<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  for (let attempt = 0;; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const clientError = err instanceof S3Error && err.status >= 400 && err.status < 500;
      if (attempt >= 3 || clientError || signal?.aborted) throw err;
      await new Promise((r) => setTimeout(r, 1000 * 2 ** attempt));
    }
  }
}

/** Uploads a vault backup and its sidecar; resolves with the verified composite ETag. */
export async function uploadBackup(
  client: S3Client,
  prefix: string,
  vaultDir: string,
  file: string,
  options: { signal?: AbortSignal; onProgress?: (bytes: number) => void } = {},
): Promise<{ etag: string }> {
  if (!isBackupFileName(file)) throw new ValidationError(`"${file}" is not a backup file name`);
  const sidecar = await readSidecar(vaultDir, file);
  const key = prefix + file;
  const result = await uploadFile(
    client,
    key,
    `${vaultDir}/${file}`,
    file.endsWith(".zst") ? "application/zstd" : "application/gzip",
    options,
  );
  try {
    await client.put(`${key}.json`, JSON.stringify(sidecar, null, 2), "application/json");
  } catch (err) {
    await client.delete(key).catch(() => {}); // without its sidecar it does not count as stored
    throw err;
  }
  return result;
}

/**
 * Uploads one file with a multipart upload (Content-MD5 per part) and checks the ETag the
 * server reports against the one computed while uploading; aborted on any failure.
 */
export async function uploadFile(
  client: S3Client,
  key: string,
  path: string,
  contentType: string,
  options: { signal?: AbortSignal; onProgress?: (bytes: number) => void } = {},
): Promise<{ etag: string }> {
  const f = await Deno.open(path, { read: true });
  const size = (await f.stat()).size;
  const chunk = partSize(size);
  const uploadId = await client.createMultipart(key, contentType);
  const md5s: Uint8Array[] = [];
  const whole = createHash("md5"); // some servers (s3rver) answer the whole object's MD5
  const etags: string[] = [];
  let sent = 0;
  // Two buffers: the next part is read and hashed while the previous one uploads. A buffer
  // is refilled only after the part that used it finished (each upload awaits the last).
  const buffers = [new Uint8Array(chunk), new Uint8Array(chunk)];
  let uploading: Promise<void> = Promise.resolve();
  try {
    for (let part = 1;; part++) {
      options.signal?.throwIfAborted();
      const buffer = buffers[part % 2];
      let filled = 0;
      while (filled < chunk) {
        const n = await f.read(buffer.subarray(filled));
        if (n === null) break;
        filled += n;
      }
      if (filled === 0 && part > 1) break; // the size was a multiple of the part size
      const data = buffer.subarray(0, filled);
      const md5 = new Uint8Array(createHash("md5").update(data).digest());
      whole.update(data);
      md5s.push(md5);
      await uploading;
      const expected = Buffer.from(md5).toString("hex");
      uploading = withRetries(
        () => client.uploadPart(key, uploadId, part, data, md5),
        options.signal,
      ).then((etag) => {
        if (etag && etag !== expected) {
          throw new S3Error(500, "BadDigest", `Part ${part}: the server's ETag is not its MD5`);
        }
        etags.push(expected);
        sent += filled;
        options.onProgress?.(sent);
      });
      uploading.catch(() => {}); // awaited before the next part or after the last
      if (filled < chunk) break;
    }
    await uploading;
    const composite = `${
      createHash("md5").update(Buffer.concat(md5s)).digest("hex")
    }-${md5s.length}`;
    const etag = await client.completeMultipart(key, uploadId, etags);
    if (etag !== composite && etag !== whole.digest("hex")) {
      throw new S3Error(
        502,
        "ETagMismatch",
        `The stored object's ETag ${etag} is not the ${composite} computed while uploading`,
      );
    }
    return { etag };
  } catch (err) {
    await uploading.catch(() => {}); // no part may land after the abort
    await client.abortMultipart(key, uploadId).catch(() => {});
    await client.delete(key).catch(() => {}); // completed but mismatched: not kept
    throw err;
  } finally {
    f.close();
  }
}

/** Every backup under the prefix that has its sidecar, newest first. */
export async function listRemoteBackups(client: S3Client, prefix: string): Promise<Sidecar[]> {
  const objects = await client.list(prefix);
  const keys = new Set(objects.map((o) => o.key));
  const sidecars = objects.filter((o) =>
    o.key.endsWith(".json") && keys.has(o.key.slice(0, -5)) &&
    isBackupFileName(o.key.slice(prefix.length, -5))
  );
  const out: Sidecar[] = [];
  for (let i = 0; i < sidecars.length; i += 8) {
    const batch = await Promise.all(
      sidecars.slice(i, i + 8).map(async (o) => {
        try {
          return SidecarSchema.parse(await (await client.get(o.key)).json());
        } catch {
          return undefined; // an unreadable sidecar is not listed
        }
      }),
    );
    out.push(...batch.filter((s): s is Sidecar => s !== undefined));
  }
  return out.sort((a, b) => b.manifest.created.localeCompare(a.manifest.created));
}

/** The sidecar of one remote backup (NotFoundError when absent). */
export async function remoteSidecar(
  client: S3Client,
  prefix: string,
  file: string,
): Promise<Sidecar> {
  if (!isBackupFileName(file)) throw new ValidationError(`"${file}" is not a backup file name`);
  try {
    return SidecarSchema.parse(await (await client.get(`${prefix}${file}.json`)).json());
  } catch (err) {
    if (err instanceof S3Error && err.status === 404) {
      throw new NotFoundError(`No backup "${file}" on this target`);
    }
    throw err;
  }
}

/** Re-downloads and re-hashes a remote backup against its sidecar. */
export async function verifyRemote(
  client: S3Client,
  prefix: string,
  file: string,
): Promise<VerifyReport> {
  const sidecar = await remoteSidecar(client, prefix, file);
  const report = await scanArchive(
    async () => (await client.get(prefix + file)).body!,
    file,
    {},
    sidecar.compression,
  );
  report.wholeFile.expected = sidecar.sha256;
  report.wholeFile.ok = report.wholeFile.actual === sidecar.sha256;
  if (!report.error && !report.wholeFile.ok) {
    report.error = "The file's SHA-256 differs from the one recorded when it was written";
  }
  report.ok = !report.error;
  delete report.manifest;
  return report;
}

/** Deletes a remote backup and its sidecar. */
export async function deleteRemote(client: S3Client, prefix: string, file: string) {
  await remoteSidecar(client, prefix, file);
  await client.delete(prefix + file);
  await client.delete(`${prefix}${file}.json`);
}

/** Downloads a remote backup and its sidecar into `dir` (for a restore); streamed to disk. */
export async function downloadRemote(
  client: S3Client,
  prefix: string,
  file: string,
  dir: string,
): Promise<void> {
  const sidecar = await remoteSidecar(client, prefix, file);
  const res = await client.get(prefix + file);
  const out = await Deno.open(`${dir}/${file}`, { createNew: true, write: true, mode: 0o600 });
  await res.body!.pipeTo(out.writable);
  await Deno.writeTextFile(`${dir}/${file}.json`, JSON.stringify(sidecar));
}
