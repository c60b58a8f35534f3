/**
 * S3 upload: Bosun copying a 1 GiB backup to a local S3 server (`npm:s3rver`) vs the AWS
 * SDK's single `PutObject` of the same file from a plain script, in the same process and
 * run; plus Bosun's peak RSS during its upload.
 */
import { createReadStream } from "node:fs";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { docker, setupAndLogin, startBosun, TestContainers } from "../tests/_harness.ts";
import { startS3 } from "../tests/_s3.ts";
import { bosunPid, memory, resetPeak } from "./_util.ts";

/** Runs the S3 benchmark and prints its figures. */
export async function runS3Bench(): Promise<void> {
  await using s3 = await startS3("bench");
  const { port } = s3;
  await using bosun = await startBosun();
  await using containers = new TestContainers();
  const admin = await setupAndLogin(bosun);
  const pid = (await bosunPid(bosun.port))!;
  const volume = `bt-${containers.runId}-s3bench`;
  // Named with the run id: the containers' disposal removes it.
  const c = await containers.create("s3bench", { args: ["-v", `${volume}:/data`] });
  await docker(
    "exec",
    c,
    "sh",
    "-c",
    "dd if=/dev/urandom of=/data/r.bin bs=1048576 count=1024 2>/dev/null",
  );
  const backup = await admin.json<{ file: string }>("POST", "/api/backups?wait=true", {
    container: c,
    compression: "zstd",
  });
  const file = backup.body.file;
  const path = `${bosun.dataDir}/backups/${file}`;
  const size = (await Deno.stat(path)).size;
  const target = await admin.json<{ id: number }>("POST", "/api/storage", {
    name: "bench",
    endpoint: `http://127.0.0.1:${port}`,
    bucket: "bench",
    accessKeyId: "S3RVER",
    secretAccessKey: "S3RVER",
  });

  const sdk = new S3Client({
    endpoint: `http://127.0.0.1:${port}`,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
  });
  const t0 = performance.now();
  await sdk.send(
    new PutObjectCommand({
      Bucket: "bench",
      Key: `baseline/${file}`,
      Body: createReadStream(path),
      ContentLength: size,
    }),
  );
  const base = (performance.now() - t0) / 1000;

  const before = (await memory(pid)).rss;
  await resetPeak(pid);
  const t1 = performance.now();
  const r = await admin.json("POST", `/api/storage/${target.body.id}/backups`, { file });
  const ours = (performance.now() - t1) / 1000;
  if (r.status !== 201) throw new Error(`upload failed: ${JSON.stringify(r.body)}`);
  console.log(
    `S3 upload of ${(size / 1048576).toFixed(0)} MiB: Bosun ${ours.toFixed(2)} s vs AWS SDK ` +
      `PutObject ${base.toFixed(2)} s → ratio ${(ours / base).toFixed(2)} (target ≤ 1.1); ` +
      `Bosun peak RSS ${(await memory(pid)).peak.toFixed(1)} MiB (target ≤ 150; ` +
      `${before.toFixed(1)} MiB before, after making the 1 GiB backup)`,
  );
}
