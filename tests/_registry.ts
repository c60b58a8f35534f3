/**
 * A real registry for update tests: Debian's `docker-registry` (distribution 2.8) on
 * 127.0.0.1, storage on local disk, optionally with htpasswd auth (bcrypt via `htpasswd`).
 */
import { freePort, sleep } from "./_harness.ts";

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
