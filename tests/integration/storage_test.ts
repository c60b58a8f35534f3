/**
 * S3 storage against a real S3 protocol server (`npm:s3rver`): test connection names the
 * failing step, a backup is copied with a verified multipart upload and its sidecar, listed
 * with its server, verified by re-download, restored after the local copy is gone (no
 * temporary file left), deleted; a stopped server fails the copy and keeps the local file.
 */
import assert from "node:assert/strict";
import { docker, setupAndLogin, startBosun, TestContainers } from "../_harness.ts";
import { startS3 } from "../_s3.ts";
import { TcpProxy } from "../_tcp_proxy.ts";

Deno.test("S3 targets: test, copy, list, verify, restore, delete", async (t) => {
  await using s3 = await startS3("bosun-backups");
  const { port, dir } = s3;
  await using bosun = await startBosun();
  await using containers = new TestContainers();
  const admin = await setupAndLogin(bosun);
  const volume = `bt-${containers.runId}-s3`;
  const id = await containers.create("s3", { args: ["-v", `${volume}:/data`] });
  await docker(
    "exec",
    id,
    "sh",
    "-c",
    "echo in-the-bucket > /data/file.txt && head -c 20000000 /dev/urandom > /data/r.bin",
  );
  const target = {
    name: "minio",
    endpoint: `http://127.0.0.1:${port}`,
    region: "us-east-1",
    bucket: "bosun-backups",
    prefix: "lab/",
    pathStyle: true,
    accessKeyId: "S3RVER",
    secretAccessKey: "S3RVER",
  };
  let targetId = 0;
  let file = "";
  try {
    await t.step("test connection says which step failed", async () => {
      const ok = await admin.json<{ ok: boolean }>("POST", "/api/storage/test", target);
      assert.equal(ok.body.ok, true, JSON.stringify(ok.body));
      const wrongKey = await admin.json<
        { ok: boolean; steps: { step: string; ok: boolean; error?: string }[] }
      >(
        "POST",
        "/api/storage/test",
        { ...target, accessKeyId: "NOT-A-KEY" },
      );
      assert.equal(wrongKey.body.ok, false);
      assert.deepEqual(wrongKey.body.steps.map((s) => [s.step, s.ok]), [["write", false]]);
      assert.match(wrongKey.body.steps[0].error!, /InvalidAccessKeyId|SignatureDoesNotMatch/);
      const noBucket = await admin.json<{ steps: { error?: string }[] }>(
        "POST",
        "/api/storage/test",
        { ...target, bucket: "no-such-bucket" },
      );
      assert.match(noBucket.body.steps[0].error!, /NoSuchBucket/);
      const metadata = await admin.json("POST", "/api/storage", {
        ...target,
        endpoint: "http://169.254.169.254/",
      });
      assert.equal(metadata.status, 400);
    });

    await t.step("a saved target never shows its secret", async () => {
      const r = await admin.json<{ id: number }>("POST", "/api/storage", target);
      assert.equal(r.status, 201, JSON.stringify(r.body));
      targetId = r.body.id;
      const list = await admin.json("GET", "/api/storage");
      assert.ok(!JSON.stringify(list.body).includes("secretAccessKey"));
      const tested = await admin.json<{ ok: boolean }>("POST", `/api/storage/${targetId}/test`);
      assert.equal(tested.body.ok, true);
    });

    await t.step("a backup is copied, listed with its server, and verified remotely", async () => {
      const b = await admin.json<{ file: string; status: string }>(
        "POST",
        "/api/backups?wait=true",
        { container: id, compression: "zstd" },
      );
      assert.equal(b.body.status, "complete");
      file = b.body.file;
      const copy = await admin.json<{ etag: string }>("POST", `/api/storage/${targetId}/backups`, {
        file,
      });
      assert.equal(copy.status, 201, JSON.stringify(copy.body));
      // AWS and MinIO answer the composite "<md5 of part md5s>-N"; s3rver the whole MD5.
      assert.match(copy.body.etag, /^[0-9a-f]{32}(-\d+)?$/);
      const objects = [...Deno.readDirSync(`${dir}/bosun-backups/lab`)].map((e) => e.name);
      assert.ok(objects.some((n) => n.startsWith(file)), objects.join(","));
      const listed = await admin.json<
        { file: string; location: string; manifest: { server: string } }[]
      >(
        "GET",
        `/api/storage/${targetId}/backups`,
      );
      const entry = listed.body.find((x) => x.file === file)!;
      assert.equal(entry.location, "minio");
      assert.ok(entry.manifest.server.length > 0);
      const v = await admin.json<{ ok: boolean; checked: number }>(
        "POST",
        `/api/storage/${targetId}/backups/${file}/verify`,
      );
      assert.equal(v.body.ok, true, JSON.stringify(v.body));
      const ranged = await admin.req(
        "GET",
        `/api/storage/${targetId}/backups/${file}/download`,
        undefined,
        {
          Range: "bytes=0-9",
        },
      );
      assert.equal(ranged.status, 206);
      assert.equal((await ranged.arrayBuffer()).byteLength, 10);
    });

    await t.step("preview streams the tree; a shared bucket lists two servers", async () => {
      const p = await admin.json<{ trees: Record<string, { path: string }[]> }>(
        "GET",
        `/api/storage/${targetId}/backups/${file}/preview`,
      );
      assert.equal(p.status, 200, JSON.stringify(p.body));
      assert.ok(p.body.trees[`volumes/${volume}`].some((e) => e.path === "file.txt"));
      assert.equal(
        (await admin.json("PATCH", "/api/settings", { serverName: "garage-pi" })).status,
        200,
      );
      const other = await admin.json<{ file: string }>("POST", "/api/backups?wait=true", {
        container: id,
        remember: false,
      });
      assert.match(other.body.file, /^garage-pi__/);
      await admin.json("POST", `/api/storage/${targetId}/backups`, { file: other.body.file });
      const listed = await admin.json<{ manifest: { server: string } }[]>(
        "GET",
        `/api/storage/${targetId}/backups`,
      );
      assert.equal(new Set(listed.body.map((b) => b.manifest.server)).size, 2);
      await admin.json("DELETE", `/api/storage/${targetId}/backups/${other.body.file}`);
    });

    await t.step("restore from S3 once the local copy is gone", async () => {
      assert.equal((await admin.json("DELETE", `/api/backups/${file}`)).status, 204);
      const name = `bt-${containers.runId}-from-s3`;
      const r = await admin.json<{ id: string; volumes: { to: string }[] }>(
        "POST",
        `/api/storage/${targetId}/backups/${file}/restore`,
        { name },
      );
      assert.equal(r.status, 200, JSON.stringify(r.body));
      await docker("update", "--label-add", containers.label, r.body.id).catch(() => {});
      assert.equal((await docker("exec", name, "cat", "/data/file.txt")).trim(), "in-the-bucket");
      const left = [...Deno.readDirSync(`${bosun.dataDir}/backups`)].map((e) => e.name);
      assert.deepEqual(left.filter((n) => n.includes("partial")), [], "temporary files removed");
      for (const v of r.body.volumes) await docker("volume", "rm", "-f", v.to).catch(() => {});
    });

    await t.step("a backup queued with a target lands there by itself", async () => {
      const b = await admin.json<{ status: string; file: string; error: string | null }>(
        "POST",
        "/api/backups?wait=true",
        { container: id, targets: [targetId], remember: false },
      );
      assert.equal(b.body.status, "complete", b.body.error ?? "");
      const listed = await admin.json<{ file: string }[]>(
        "GET",
        `/api/storage/${targetId}/backups`,
      );
      assert.ok(listed.body.some((x) => x.file === b.body.file));
      await admin.json("DELETE", `/api/storage/${targetId}/backups/${b.body.file}`);
      const unknown = await admin.json("POST", "/api/backups", { container: id, targets: [999] });
      assert.equal(unknown.status, 404);
    });

    await t.step("delete removes the object and its sidecar", async () => {
      assert.equal(
        (await admin.json("DELETE", `/api/storage/${targetId}/backups/${file}`)).status,
        204,
      );
      const listed = await admin.json<unknown[]>("GET", `/api/storage/${targetId}/backups`);
      assert.equal(listed.body.length, 0);
    });

    await t.step(
      "a connection dropped mid-upload is retried; a dead server fails the job",
      async () => {
        await using proxy = new TcpProxy(port);
        proxy.open();
        const viaProxy = await admin.json<{ id: number }>("POST", "/api/storage", {
          ...target,
          name: "flaky",
          endpoint: `http://127.0.0.1:${proxy.port}`,
          prefix: "flaky/",
        });
        assert.equal(viaProxy.status, 201, JSON.stringify(viaProxy.body));
        const b = await admin.json<{ file: string }>("POST", "/api/backups?wait=true", {
          container: id,
          remember: false,
        });
        proxy.cutAfter(12 * 1024 * 1024); // inside the second 8 MiB part
        const copied = await admin.json("POST", `/api/storage/${viaProxy.body.id}/backups`, {
          file: b.body.file,
        });
        assert.equal(copied.status, 201, `retried after the drop: ${JSON.stringify(copied.body)}`);
        const listed = await admin.json<{ file: string }[]>(
          "GET",
          `/api/storage/${viaProxy.body.id}/backups`,
        );
        assert.deepEqual(listed.body.map((x) => x.file), [b.body.file]);

        // The server goes away for good in the middle of a queued backup's copy.
        proxy.dieAfter(12 * 1024 * 1024);
        const job = await admin.json<{ status: string; error: string; file: string }>(
          "POST",
          "/api/backups?wait=true",
          { container: id, remember: false, targets: [viaProxy.body.id] },
        );
        assert.equal(job.body.status, "failed");
        assert.match(job.body.error, /Stored locally as .*; the copy to storage target \d+ failed/);
        await Deno.stat(`${bosun.dataDir}/backups/${job.body.file}`); // the local copy stays
        proxy.open();
        const after = await admin.json<{ file: string }[]>(
          "GET",
          `/api/storage/${viaProxy.body.id}/backups`,
        );
        assert.ok(
          !after.body.some((x) => x.file === job.body.file),
          "nothing half-stored is listed",
        );
      },
    );

    await t.step("a stopped S3 server fails the copy; the local backup stays", async () => {
      const b = await admin.json<{ file: string }>("POST", "/api/backups?wait=true", {
        container: id,
      });
      await s3.stop();
      const copy = await admin.json<{ detail: string }>(
        "POST",
        `/api/storage/${targetId}/backups`,
        {
          file: b.body.file,
        },
      );
      assert.ok(copy.status >= 500 || copy.status === 502, JSON.stringify(copy.body));
      await Deno.stat(`${bosun.dataDir}/backups/${b.body.file}`);
      assert.ok(!bosun.logs().includes('S3RVER"'), "no secret in the logs");
    });
  } finally {
    await docker("rm", "-f", `bt-${containers.runId}-from-s3`).catch(() => {});
    await docker("volume", "rm", "-f", volume).catch(() => {});
  }
});
