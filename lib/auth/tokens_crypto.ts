/** Random tokens and their stored hashes (tokens are never stored, only SHA-256 hashes). */
import { encodeBase64Url, encodeHex } from "../shared/base64.ts";

/** A 256-bit random token, URL-safe. */
export function randomToken(prefix = ""): string {
  return prefix + encodeBase64Url(crypto.getRandomValues(new Uint8Array(32)));
}

/** A short random public identifier (session and token ids). */
export function randomId(): string {
  return encodeHex(crypto.getRandomValues(new Uint8Array(8)));
}

/** SHA-256 of `token`, hex. */
export async function hashToken(token: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
  return encodeHex(new Uint8Array(digest));
}

/** Compares two strings in time independent of where they differ. */
export function timingSafeEqual(a: string, b: string): boolean {
  const ab = new TextEncoder().encode(a);
  const bb = new TextEncoder().encode(b);
  let diff = ab.length ^ bb.length;
  for (let i = 0; i < Math.max(ab.length, bb.length); i++) diff |= (ab[i] ?? 0) ^ (bb[i] ?? 0);
  return diff === 0;
}
