/**
 * `deno compile` cannot run here, so the entry point runs with the compile task's exact
 * permission flags (read from deno.json) and must work, while reading /etc/shadow, writing
 * outside the data directory and spawning processes are refused.
 */
import assert from "node:assert/strict";
import { EMBEDDED, V8_FLAGS } from "../../scripts/sandbox_flags.ts";
import { Client, PASSWORD, ROOT, setupAndLogin, startBosun, TEST_ENV } from "../_harness.ts";

/** The `--allow-*` flags baked by `deno task compile:x86_64`. */
async function compileFlags(): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`)) as {
    tasks: Record<string, string>;
  };
  const task = config.tasks["compile:x86_64"];
  const flags = task.split(/\s+/).filter((a) => a.startsWith("--allow-"));
  assert.ok(flags.length >= 4, "compile task has permission flags");
  assert.ok(!task.includes(" -A ") && !task.includes("--allow-all"), "compile never uses -A");
  assert.ok(!flags.some((f) => f.startsWith("--allow-run") || f.startsWith("--allow-ffi")));
  return flags;
}

/** The paths the compile task embeds with `--include` (the binary reads them without a grant). */
async function compileIncludes(): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`)) as {
    tasks: Record<string, string>;
  };
  const words = config.tasks["compile:x86_64"].split(/\s+/);
  return words.flatMap((w, i) => w === "--include" ? [words[i + 1]] : []);
}

/** Compile flags plus read of what the binary embeds, as its virtual file system allows. */
async function binaryLikeFlags(): Promise<string[]> {
  const embedded = (await compileIncludes()).map((p) => ROOT + p).join(",");
  return (await compileFlags()).map((f) => f.startsWith("--allow-read=") ? `${f},${embedded}` : f);
}

Deno.test("the compile task embeds what the sandboxed server reads from the source tree", async () => {
  assert.deepEqual((await compileIncludes()).sort(), [...EMBEDDED].sort());
});

Deno.test("the compile tasks bake the V8 settings `deno task start` runs with", async () => {
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`)) as {
    tasks: Record<string, string>;
  };
  for (const task of ["compile:x86_64", "compile:aarch64"]) {
    const flags = config.tasks[task].split(/\s+/).filter((w) => w.startsWith("--v8-flags="));
    assert.deepEqual(flags, [`--v8-flags=${V8_FLAGS}`], task);
  }
});

Deno.test("the compile task's permissions run Bosun and refuse what they must", async (t) => {
  await Deno.mkdir("/var/lib/bosun", { recursive: true });
  const dataDir = await Deno.makeTempDir({ dir: "/var/lib/bosun", prefix: "sandbox-test-" });
  try {
    await using bosun = await startBosun({
      dataDir,
      flags: await binaryLikeFlags(),
      args: ["--binary"],
    });

    await t.step("the app works: setup, login, containers from the engine", async () => {
      const admin = await setupAndLogin(bosun);
      const list = await admin.json<unknown[]>("GET", "/api/containers");
      assert.equal(list.status, 200);
      assert.ok(Array.isArray(list.body));
      const page = await admin.req("GET", "/containers");
      assert.equal(page.status, 200);
      assert.match(await page.text(), /data-island="ContainerTable"/);
      const css = await new Client(bosun.url).req("GET", "/static/style.css");
      assert.equal(css.status, 200);
      await css.body?.cancel();
      const key = await Deno.stat(`${dataDir}/config/secret.key`);
      assert.equal(key.mode! & 0o777, 0o600, "secret key is 0600");
    });

    await t.step(
      "the same flags refuse /etc/shadow, writes outside, spawn, FFI, other env",
      async () => {
        const out = await new Deno.Command(Deno.execPath(), {
          args: ["run", ...await compileFlags(), `${ROOT}tests/fixtures/sandbox_probe.ts`, dataDir],
          env: { ...TEST_ENV, BOSUN_PORT: "1" },
          stdout: "piped",
          stderr: "piped",
        }).output();
        assert.ok(out.success, new TextDecoder().decode(out.stderr));
        const outcomes = JSON.parse(new TextDecoder().decode(out.stdout));
        assert.deepEqual(outcomes, {
          readShadow: "refused",
          readPasswd: "refused",
          writeTmp: "refused",
          writeDataDir: "allowed",
          spawn: "refused",
          ffi: "refused",
          envHome: "refused",
          envBosun: "allowed",
        });
      },
    );
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("a data directory outside the baked roots is refused with what to do", async () => {
  const outside = await Deno.makeTempDir({ prefix: "bosun-outside-" });
  try {
    const bosun = await startBosun({
      dataDir: outside,
      flags: await binaryLikeFlags(),
      args: ["--binary"],
      expectExit: true,
    });
    const status = await bosun.exited;
    assert.equal(status.code, 1);
    assert.match(bosun.logs(), /outside what this build may write \(\/data, \/var\/lib\/bosun\)/);
    assert.match(bosun.logs(), /--data-dir/);
  } finally {
    await Deno.remove(outside, { recursive: true });
  }
});

Deno.test("deno task start passes its arguments through and sandboxes the server", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "bosun-task-" });
  const port = 20000 + Math.floor(Math.random() * 20000);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["task", "start", "--port", String(port), "--data-dir", dataDir, "--listen", "127.0.0.1"],
    cwd: ROOT,
    env: { ...TEST_ENV },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  try {
    let health: Response | undefined;
    for (let i = 0; i < 100 && !health; i++) {
      await new Promise((r) => setTimeout(r, 200));
      health = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
    }
    assert.ok(health, "deno task start serves on the given port");
    assert.equal(health.status, 200);
    await health.body?.cancel();
    await Deno.stat(`${dataDir}/bosun.db`);
    const c = new Client(`http://127.0.0.1:${port}`);
    const r = await c.req("POST", "/api/auth/setup", { password: PASSWORD });
    await r.body?.cancel();
    assert.equal(r.status, 201);
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await child.stdout.cancel();
    await child.stderr.cancel();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("--help lists every option", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-env", "--allow-read", `${ROOT}main.ts`, "--help"],
    stdout: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert.ok(out.success);
  for (
    const flag of [
      "--port",
      "--listen",
      "--data-dir",
      "--docker-host",
      "--public-url",
      "--trusted-proxy",
      "--allowed-hosts",
      "--tls",
      "--force-https",
      "--session-idle",
      "reset-password",
      "BOSUN_ADMIN_PASSWORD",
    ]
  ) {
    assert.ok(text.includes(flag), `--help mentions ${flag}`);
  }
});
