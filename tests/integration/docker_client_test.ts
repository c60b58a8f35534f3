/** The Engine API client against the real engine. */
import assert from "node:assert/strict";
import { z } from "zod";
import { demuxFrames } from "../../lib/docker/_demux.ts";
import { readJsonLines } from "../../lib/docker/_json_lines.ts";
import { DockerClient } from "../../lib/docker/client.ts";
import { inspectContainer, listContainers } from "../../lib/docker/containers.ts";
import { DockerNotFoundError } from "../../lib/docker/errors.ts";
import { getInfo, getVersion } from "../../lib/docker/system.ts";
import { docker as cli, TestContainers } from "../_harness.ts";

Deno.test("DockerClient against the real engine", async (t) => {
  await using containers = new TestContainers();
  const docker = new DockerClient({ host: "unix:///var/run/docker.sock", timeoutMs: 10_000 });
  try {
    await t.step("negotiates the engine's own API version", async () => {
      const version = await getVersion(docker);
      assert.equal(await docker.apiVersion(), version.apiVersion);
      assert.ok((await getInfo(docker)).cpus >= 1);
    });

    const id = await containers.create("client", {
      args: ["--label", "bosun.test.extra=yes", "-e", "FOO=bar"],
    });

    await t.step("lists with label filters and inspects keeping every field", async () => {
      const list = await listContainers(docker, { filters: { label: [containers.label] } });
      assert.equal(list.length, 1);
      assert.equal(list[0].id, id);
      assert.equal(list[0].labels["bosun.test.extra"], "yes");
      const inspect = await inspectContainer(docker, id);
      assert.equal(inspect.Id, id);
      const raw = JSON.parse(await cli("inspect", id))[0];
      assert.deepEqual(Object.keys(inspect).sort(), Object.keys(raw).sort(), "no field dropped");
      assert.deepEqual(inspect.HostConfig, raw.HostConfig);
    });

    await t.step("a missing container is DockerNotFoundError with the daemon's words", async () => {
      await assert.rejects(
        inspectContainer(docker, "bosun-no-such-container"),
        (err) => err instanceof DockerNotFoundError && /No such container/.test(err.message),
      );
    });

    await t.step("streams an archive over node:http", async () => {
      const res = await docker.stream("GET", `/containers/${id}/archive`, {
        query: { path: "/etc/passwd" },
      });
      let bytes = 0;
      let head: Uint8Array = new Uint8Array();
      for await (const chunk of res) {
        if (!bytes) head = chunk as Uint8Array;
        bytes += (chunk as Uint8Array).length;
      }
      assert.ok(bytes >= 1024, "a tar of at least two blocks");
      assert.equal(new TextDecoder().decode(head.subarray(0, 6)), "passwd");
    });

    await t.step("demultiplexes stdout and stderr of real logs", async () => {
      const logId = (await cli(
        "run",
        "-d",
        "--label",
        containers.label,
        "bosun-test/busybox:latest",
        "sh",
        "-c",
        "echo to-out; echo to-err >&2",
      )).trim();
      await cli("wait", logId);
      const res = await docker.stream("GET", `/containers/${logId}/logs`, {
        query: { stdout: 1, stderr: 1 },
      });
      const frames: string[] = [];
      for await (const f of demuxFrames(res)) {
        frames.push(`${f.stream}:${new TextDecoder().decode(f.data).trim()}`);
      }
      assert.deepEqual(frames.sort(), ["stderr:to-err", "stdout:to-out"]);
    });

    await t.step("reads JSON lines from the events stream", async () => {
      const controller = new AbortController();
      const since = Math.floor(Date.now() / 1000) - 60;
      const res = await docker.stream("GET", "/events", {
        query: {
          since,
          until: Math.floor(Date.now() / 1000) + 1,
          filters: JSON.stringify({ label: [containers.label] }),
        },
        signal: controller.signal,
      });
      const actions: string[] = [];
      for await (const e of readJsonLines(res, z.object({ Action: z.string() }).loose())) {
        actions.push(e.Action);
      }
      assert.ok(actions.includes("start"), actions.join());
    });
  } finally {
    docker.close();
  }
});
