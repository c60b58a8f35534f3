/** A real S3 protocol server for tests and benchmarks: `npm:s3rver` on 127.0.0.1, on local disk. */
import S3rver from "s3rver";
import { freePort } from "./_harness.ts";

/** A running S3 server with one bucket; `stop()` (idempotent) also removes its files. */
export interface S3Server extends AsyncDisposable {
  port: number;
  /** Where objects live: `<dir>/<bucket>/<key>`. */
  dir: string;
  endpoint: string;
  stop(): Promise<void>;
}

/** Starts s3rver with `bucket` created. */
export async function startS3(bucket: string): Promise<S3Server> {
  const port = freePort();
  const dir = await Deno.makeTempDir({ prefix: "bosun-s3-" });
  const server = new S3rver({
    port,
    address: "127.0.0.1",
    silent: true,
    directory: dir,
    configureBuckets: [{ name: bucket }],
  });
  await server.run();
  let running = true;
  const stop = async () => {
    if (running) (running = false, await server.close());
  };
  return {
    port,
    dir,
    endpoint: `http://127.0.0.1:${port}`,
    stop,
    [Symbol.asyncDispose]: async () => {
      await stop();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}
