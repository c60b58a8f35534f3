/**
 * A real registry for update tests: Debian's `docker-registry` (distribution 2.8) on
 * 127.0.0.1, storage on local disk, optionally with htpasswd auth (bcrypt via `htpasswd`).
 */
import { docker, freePort, sleep, TEST_IMAGE } from "./_harness.ts";

/** A running registry; dispose to stop it and remove its storage. */
export interface Registry extends AsyncDisposable {
  port: number;
  /** `localhost:<port>`, the reference prefix the engine pushes to over plain HTTP. */
  host: string;
}

/** Starts a registry; with `auth`, every request needs those basic credentials. */
export async function startRegistry(
  auth?: { username: string; password: string },
): Promise<Registry> {
  const port = freePort();
  const dir = await Deno.makeTempDir({ prefix: "bosun-registry-" });
  let authConfig = "";
  if (auth) {
    const out = await new Deno.Command("htpasswd", {
      args: ["-Bbn", auth.username, auth.password],
      stdout: "piped",
    }).output();
    if (!out.success) throw new Error("htpasswd failed");
    await Deno.writeFile(`${dir}/htpasswd`, out.stdout);
    authConfig = `auth:\n  htpasswd:\n    realm: bosun-test\n    path: ${dir}/htpasswd\n`;
  }
  await Deno.writeTextFile(
    `${dir}/config.yml`,
    `version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: ${dir}/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:${port}
${authConfig}`,
  );
  const child = new Deno.Command("docker-registry", {
    args: ["serve", `${dir}/config.yml`],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stderr = child.stderr.pipeThrough(new TextDecoderStream());
  let log = "";
  stderr.pipeTo(new WritableStream({ write: (t) => void (log = (log + t).slice(-4000)) })).catch(
    () => {},
  );
  for (let i = 0;; i++) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/v2/`);
      await res.body?.cancel();
      if (res.status === 200 || res.status === 401) break;
    } catch {
      // not up yet
    }
    if (i > 100) {
      child.kill();
      throw new Error(`docker-registry did not start: ${log}`);
    }
    await sleep(100);
  }
  return {
    port,
    host: `localhost:${port}`,
    [Symbol.asyncDispose]: async () => {
      try {
        child.kill();
      } catch {
        // already stopped (disposed twice)
      }
      await child.status;
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/** A long-running command that stops at once on SIGTERM. */
export const LOOP = 'trap "exit 0" TERM; while true; do sleep 0.2; done';

/** Tracks what a test creates and removes it. */
export class Lab implements AsyncDisposable {
  readonly run = crypto.randomUUID().slice(0, 8);
  #containers: string[] = [];
  #images: string[] = [];
  #volumes: string[] = [];
  #networks: string[] = [];
  #dirs: string[] = [];

  name(n: string) {
    return `bu-${this.run}-${n}`;
  }

  /** Commits a variant of the test image as `tag` and pushes it; resolves with its id. */
  async push(
    tag: string,
    changes: { cmd?: string[]; label?: string; config?: string },
  ): Promise<string> {
    const base = (await docker("create", TEST_IMAGE, "true")).trim();
    try {
      const args = ["commit"];
      args.push("-c", `CMD ${JSON.stringify(changes.cmd ?? ["sh", "-c", LOOP])}`);
      if (changes.label) args.push("-c", `LABEL ${changes.label}`);
      const id = (await docker(...args, base, tag)).trim();
      this.#images.push(tag, id);
      await docker(...(changes.config ? ["--config", changes.config] : []), "push", tag);
      return id;
    } finally {
      await docker("rm", "-f", base);
    }
  }

  /** Runs a container (labelled for clean-up). */
  async runContainer(name: string, args: string[], image: string): Promise<string> {
    this.#containers.push(name);
    return (await docker("run", "-d", "--name", name, ...args, image)).trim();
  }

  async network(subnet: string): Promise<string> {
    const name = this.name("net");
    await docker("network", "create", "--subnet", subnet, name);
    this.#networks.push(name);
    return name;
  }

  volume(n: string): string {
    const name = this.name(n);
    this.#volumes.push(name);
    return name;
  }

  async dockerConfig(): Promise<string> {
    const dir = await Deno.makeTempDir({ prefix: "bosun-docker-config-" });
    this.#dirs.push(dir);
    return dir;
  }

  async [Symbol.asyncDispose]() {
    for (const c of this.#containers) {
      await docker("rm", "-f", c).catch(() => {});
      await docker("rm", "-f", `${c}-bosun-old`).catch(() => {});
    }
    for (const v of this.#volumes) await docker("volume", "rm", "-f", v).catch(() => {});
    for (const n of this.#networks) await docker("network", "rm", n).catch(() => {});
    for (const i of this.#images) await docker("rmi", "-f", i).catch(() => {});
    for (const d of this.#dirs) await Deno.remove(d, { recursive: true }).catch(() => {});
  }
}
