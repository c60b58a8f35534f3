/**
 * Password hashing with argon2id (OWASP: m = 19 MiB, t = 2, p = 1), PHC string form. Each
 * hash runs in a short-lived worker so its memory is returned afterwards.
 */
import type { Argon2Request } from "./_argon2_worker.ts";

/** The parameters new hashes use. */
export const ARGON2_PARAMS = { memorySize: 19456, iterations: 2, parallelism: 1, hashLength: 32 };

function inWorker<T>(request: Argon2Request): Promise<T> {
  const worker = new Worker(new URL("./_argon2_worker.ts", import.meta.url), { type: "module" });
  return new Promise<T>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<{ ok: boolean; result?: T; error?: string }>) =>
      e.data.ok ? resolve(e.data.result as T) : reject(new Error(e.data.error));
    worker.onerror = (e) => {
      e.preventDefault();
      reject(new Error(`Password hashing failed: ${e.message}`));
    };
    worker.postMessage(request);
  }).finally(() => worker.terminate());
}

/** Hashes `password` into a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`). */
export function hashPassword(password: string, params = ARGON2_PARAMS): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  return inWorker<string>({ op: "hash", password, salt, ...params });
}

/** True when `password` matches `phc`; false for a wrong password or a malformed hash. */
export async function verifyPassword(password: string, phc: string): Promise<boolean> {
  if (!phc.startsWith("$argon2")) return false;
  try {
    return await inWorker<boolean>({ op: "verify", password, hash: phc });
  } catch {
    return false;
  }
}

/** True when `phc` was made with other (older) parameters than `ARGON2_PARAMS`. */
export function needsRehash(phc: string, params = ARGON2_PARAMS): boolean {
  const m = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(phc);
  if (!m) return true;
  return Number(m[1]) !== params.memorySize || Number(m[2]) !== params.iterations ||
    Number(m[3]) !== params.parallelism;
}
