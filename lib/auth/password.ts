/** Password hashing with argon2id (OWASP: m = 19 MiB, t = 2, p = 1), PHC string form. */
import { argon2id, argon2Verify } from "hash-wasm";

/** The parameters new hashes use. */
export const ARGON2_PARAMS = { memorySize: 19456, iterations: 2, parallelism: 1, hashLength: 32 };

/** Hashes `password` into a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`). */
export function hashPassword(password: string, params = ARGON2_PARAMS): Promise<string> {
  return argon2id({
    password,
    salt: crypto.getRandomValues(new Uint8Array(16)),
    ...params,
    outputType: "encoded",
  });
}

/** True when `password` matches `phc`; false for a wrong password or a malformed hash. */
export async function verifyPassword(password: string, phc: string): Promise<boolean> {
  try {
    return await argon2Verify({ password, hash: phc });
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
