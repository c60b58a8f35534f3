/**
 * Runs one argon2id hash or verification off the main isolate. The 19 MiB of WebAssembly
 * memory argon2 needs is released when the worker ends, instead of staying in Bosun's RSS.
 */
/// <reference lib="deno.worker" />
import { argon2id, argon2Verify } from "hash-wasm";

/** A request to the worker. */
export type Argon2Request =
  | {
    op: "hash";
    password: string;
    salt: Uint8Array;
    memorySize: number;
    iterations: number;
    parallelism: number;
    hashLength: number;
  }
  | { op: "verify"; password: string; hash: string };

self.onmessage = async (e: MessageEvent<Argon2Request>) => {
  const req = e.data;
  try {
    const result = req.op === "hash"
      ? await argon2id({ ...req, outputType: "encoded" })
      : await argon2Verify({ password: req.password, hash: req.hash });
    self.postMessage({ ok: true, result });
  } catch (err) {
    self.postMessage({ ok: false, error: (err as Error).message });
  }
};
