/**
 * Secrets at rest: AES-256-GCM under a per-installation key in `<data>/config/secret.key`
 * (mode 0600). There is no built-in fallback key: an unreadable key stops Bosun.
 */
import { decodeBase64, encodeBase64 } from "../shared/base64.ts";

const PREFIX = "v1:";

/** Raised when the key file exists but cannot be used. */
export class SecretKeyError extends Error {
  override name = "SecretKeyError";
}

/** Encrypts and decrypts short secrets (S3 keys, SMTP passwords, registry tokens). */
export class SecretBox {
  private constructor(private readonly key: CryptoKey) {}

  /** Loads the key at `path`, creating it (0600) when the file does not exist. */
  static async open(path: string): Promise<SecretBox> {
    let raw: Uint8Array;
    try {
      raw = await Deno.readFile(path);
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) {
        throw new SecretKeyError(
          `Cannot read the secret key ${path}: ${(err as Error).message}; fix its permissions ` +
            `(Bosun must be able to read it) — without it stored secrets cannot be decrypted`,
        );
      }
      raw = crypto.getRandomValues(new Uint8Array(32));
      const dir = path.slice(0, path.lastIndexOf("/"));
      await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
      await Deno.writeFile(path, raw, { mode: 0o600, createNew: true });
    }
    if (raw.length !== 32) {
      throw new SecretKeyError(`The secret key ${path} is not 32 bytes; restore it from a backup`);
    }
    const key = await crypto.subtle.importKey("raw", raw as BufferSource, "AES-GCM", false, [
      "encrypt",
      "decrypt",
    ]);
    return new SecretBox(key);
  }

  /** Encrypts `plaintext` into a self-describing string "v1:<base64 iv+ciphertext>". */
  async encrypt(plaintext: string): Promise<string> {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const data = new TextEncoder().encode(plaintext);
    const sealed = new Uint8Array(
      await crypto.subtle.encrypt({ name: "AES-GCM", iv }, this.key, data),
    );
    const out = new Uint8Array(iv.length + sealed.length);
    out.set(iv);
    out.set(sealed, iv.length);
    return PREFIX + encodeBase64(out);
  }

  /** Decrypts what `encrypt` produced; throws when it was altered or made with another key. */
  async decrypt(sealed: string): Promise<string> {
    if (!sealed.startsWith(PREFIX)) throw new Error("Not a Bosun secret (unknown format)");
    const bytes = decodeBase64(sealed.slice(PREFIX.length));
    const iv = bytes.subarray(0, 12);
    try {
      const plain = await crypto.subtle.decrypt(
        { name: "AES-GCM", iv },
        this.key,
        bytes.subarray(12),
      );
      return new TextDecoder().decode(plain);
    } catch {
      throw new Error("Cannot decrypt a stored secret: it was altered or made with another key");
    }
  }
}
