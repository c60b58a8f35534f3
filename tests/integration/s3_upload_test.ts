/** Multipart uploads against a real S3 server at the part-size edges. */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { S3Client } from "../../lib/storage/s3_client.ts";
import { uploadFile } from "../../lib/storage/s3_backups.ts";
import { startS3 } from "../_s3.ts";

const MIB = 1024 * 1024;

Deno.test("multipart upload: empty, one byte, exact multiples of the part size and one past", async () => {
  await using s3 = await startS3("edges");
  const client = new S3Client({
    endpoint: s3.endpoint,
    region: "us-east-1",
    bucket: "edges",
    accessKeyId: "S3RVER",
    secretAccessKey: "S3RVER",
    pathStyle: true,
  });
  const dir = await Deno.makeTempDir();
  try {
    for (const size of [0, 1, 8 * MIB, 16 * MIB, 16 * MIB + 1]) {
      const data = new Uint8Array(size);
      for (let i = 0; i < size; i += 65536) {
        crypto.getRandomValues(data.subarray(i, Math.min(size, i + 65536)));
      }
      const path = `${dir}/f${size}`;
      await Deno.writeFile(path, data);
      const progress: number[] = [];
      await uploadFile(client, `k${size}`, path, "application/octet-stream", {
        onProgress: (n) => progress.push(n),
      });
      const got = new Uint8Array(await (await client.get(`k${size}`)).arrayBuffer());
      assert.equal(got.length, size, `size ${size}`);
      assert.equal(
        createHash("sha256").update(got).digest("hex"),
        createHash("sha256").update(data).digest("hex"),
        `content of ${size}`,
      );
      assert.equal(progress.at(-1), size, `progress of ${size}: ${progress}`);
      assert.deepEqual(progress, [...progress].sort((a, b) => a - b), "progress only grows");
      assert.equal(progress.length, Math.max(1, Math.ceil(size / (8 * MIB))), `parts of ${size}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
