/**
 * The second Docker engine (DESIGN.md): its own network namespace, socket and data root, so
 * tests may stop, restart or swarm it without touching the shared engine.
 */
import { docker, sleep, TEST_IMAGE } from "./_harness.ts";

/** Where the second engine lives. */
export const ENGINE2 = {
  netns: "bosun-host2",
  socket: "/run/bosun-docker2.sock",
  dir: "/var/lib/bosun-docker2",
  host: "unix:///run/bosun-docker2.sock",
};

async function sh(cmd: string, args: string[], allowFail = false): Promise<string> {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  if (!out.success && !allowFail) {
    throw new Error(`${cmd} ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
  return new TextDecoder().decode(out.stdout);
}

async function ping(): Promise<boolean> {
  try {
    const client = Deno.createHttpClient({ proxy: { transport: "unix", path: ENGINE2.socket } });
    try {
      const res = await fetch("http://docker/_ping", { client, signal: AbortSignal.timeout(1000) });
      await res.body?.cancel();
      return res.ok;
    } finally {
      client.close();
    }
  } catch {
    return false;
  }
}

/** A running second engine; `stop()` ends it gracefully, `kill()` abruptly. */
export interface SecondEngine extends AsyncDisposable {
  host: string;
  stop(): Promise<void>;
  kill(): Promise<void>;
  start(): Promise<void>;
}

let child: Deno.ChildProcess | undefined;

async function startDaemon(): Promise<void> {
  const names = (await sh("ip", ["netns", "list"])).split("\n").map((l) => l.split(" ")[0]);
  if (!names.includes(ENGINE2.netns)) {
    await sh("ip", ["netns", "add", ENGINE2.netns]);
    await sh("ip", ["netns", "exec", ENGINE2.netns, "ip", "link", "set", "lo", "up"]);
  }
  await Deno.mkdir(`${ENGINE2.dir}/root`, { recursive: true });
  await Deno.mkdir(`${ENGINE2.dir}/exec`, { recursive: true });
  await reapContainerd();
  child = new Deno.Command("nsenter", {
    args: [
      `--net=/var/run/netns/${ENGINE2.netns}`,
      "dockerd",
      "-H",
      ENGINE2.host,
      "--data-root",
      `${ENGINE2.dir}/root`,
      "--exec-root",
      `${ENGINE2.dir}/exec`,
      "--pidfile",
      `${ENGINE2.dir}/docker.pid`,
      "--storage-driver=vfs",
      "--bridge=none",
      "--iptables=false",
    ],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const log = await Deno.open(`${ENGINE2.dir}/dockerd.log`, {
    create: true,
    append: true,
    write: true,
  });
  void child.stderr.pipeTo(log.writable).catch(() => {});
  for (let i = 0; i < 120; i++) {
    if (await ping()) return;
    await sleep(250);
  }
  throw new Error(`the second engine did not start; see ${ENGINE2.dir}/dockerd.log`);
}

/**
 * A dockerd killed with SIGKILL leaves its containerd behind, still shutting down; a new
 * dockerd then tries to reuse it and times out. End it and wait until it is gone.
 */
async function reapContainerd(): Promise<void> {
  const pids: number[] = [];
  for await (const e of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    const argv = (await Deno.readTextFile(`/proc/${e.name}/cmdline`).catch(() => "")).split("\0");
    if (argv[0]?.endsWith("containerd") && argv.some((a) => a.includes(ENGINE2.dir))) {
      pids.push(Number(e.name));
    }
  }
  for (const pid of pids) {
    try {
      Deno.kill(pid, "SIGKILL");
    } catch { /* already gone */ }
  }
  for (const pid of pids) {
    for (let i = 0; i < 80 && await Deno.stat(`/proc/${pid}`).then(() => true, () => false); i++) {
      await sleep(125);
    }
  }
}

async function stopDaemon(): Promise<void> {
  if (!child) return;
  try {
    child.kill("SIGTERM");
  } catch {
    // already gone
  }
  await child.status;
  child = undefined;
  for (let i = 0; i < 40 && await ping(); i++) await sleep(250);
}

const LOCK = "/run/bosun-docker2.lock";

/** One test file at a time owns the second engine (they stop and restart it). */
async function acquireLock(): Promise<void> {
  for (let i = 0; i < 2400; i++) {
    try {
      const f = await Deno.open(LOCK, { createNew: true, write: true });
      await f.write(new TextEncoder().encode(String(Deno.pid)));
      f.close();
      return;
    } catch (err) {
      if (!(err instanceof Deno.errors.AlreadyExists)) throw err;
      const owner = await Deno.readTextFile(LOCK).catch(() => "");
      const alive = owner && await Deno.stat(`/proc/${owner.trim()}`).then(() => true, () => false);
      if (owner && !alive) await Deno.remove(LOCK).catch(() => {}); // left by a dead run
      await sleep(250);
    }
  }
  throw new Error("waited 10 minutes for the second engine");
}

/** Starts the second engine (waiting for its lock) and loads the test image into it. */
export async function startSecondEngine(): Promise<SecondEngine> {
  await acquireLock();
  try {
    await startDaemon();
  } catch (err) {
    await Deno.remove(LOCK).catch(() => {});
    throw err;
  }
  const images = await sh("docker", ["-H", ENGINE2.host, "images", "-q", TEST_IMAGE]);
  if (!images.trim()) {
    const save = new Deno.Command("docker", { args: ["save", TEST_IMAGE], stdout: "piped" })
      .spawn();
    const load = new Deno.Command("docker", {
      args: ["-H", ENGINE2.host, "load", "-q"],
      stdin: "piped",
      stdout: "null",
    }).spawn();
    await save.stdout.pipeTo(load.stdin);
    await Promise.all([save.status, load.status]);
  }
  void docker; // the shared engine stays untouched
  return {
    host: ENGINE2.host,
    stop: stopDaemon,
    kill: async () => {
      child?.kill("SIGKILL");
      await child?.status;
      child = undefined;
    },
    start: startDaemon,
    [Symbol.asyncDispose]: async () => {
      await sh("docker", [
        "-H",
        ENGINE2.host,
        "rm",
        "-f",
        ...(await sh("docker", [
          "-H",
          ENGINE2.host,
          "ps",
          "-aq",
        ], true)).split("\n").filter(Boolean),
      ], true);
      await stopDaemon();
      await Deno.remove(LOCK).catch(() => {});
    },
  };
}
