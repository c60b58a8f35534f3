/**
 * `deno task start` / `deno task dev`: bundles the islands when the bundle is missing or
 * stale (a separate `deno bundle` process with its own permissions), then runs the server
 * sandboxed to the chosen data directory. Arguments after the task name reach Bosun.
 */
import { parseArgs } from "node:util";
import { sandboxFlags } from "./sandbox_flags.ts";

const root = decodeURIComponent(new URL("../", import.meta.url).pathname);
const args = Deno.args.filter((a) => a !== "--dev");
const dev = Deno.args.includes("--dev");

const { values } = parseArgs({
  args,
  strict: false,
  options: {
    "data-dir": { type: "string" },
    "docker-host": { type: "string" },
    "docker-cert-path": { type: "string" },
    "tls-cert": { type: "string" },
    "tls-key": { type: "string" },
  },
});
const pick = (flag: string, env: string, fallback?: string) =>
  (values[flag] as string | undefined) ?? (Deno.env.get(env) || fallback);

const dataDir = absolute(pick("data-dir", "BOSUN_DATA_DIR", "./data")!);
const dockerHost = pick("docker-host", "DOCKER_HOST", "unix:///var/run/docker.sock")!;
const extraReads = [
  pick("tls-cert", "BOSUN_TLS_CERT"),
  pick("tls-key", "BOSUN_TLS_KEY"),
  pick("docker-cert-path", "DOCKER_CERT_PATH"),
]
  .filter((p): p is string => !!p).map(absolute);

await ensureBundle();
const flags = sandboxFlags({
  dataDir,
  root,
  socketPath: dockerHost.startsWith("unix://") ? dockerHost.slice(7) : undefined,
  extraReads,
});
const child = new Deno.Command(Deno.execPath(), {
  args: ["run", ...(dev ? ["--watch"] : []), ...flags, `${root}main.ts`, ...args],
  stdin: "inherit",
  stdout: "inherit",
  stderr: "inherit",
}).spawn();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, () => child.kill(signal));
}
Deno.exit((await child.status).code);

function absolute(path: string): string {
  return path.startsWith("/")
    ? path.replace(/\/+$/, "") || "/"
    : `${Deno.cwd()}/${path}`.replace(/\/\.?\/?$/, "").replace(/\/\.\//g, "/");
}

async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) newest = Math.max(newest, await newestMtime(path));
    else newest = Math.max(newest, (await Deno.stat(path)).mtime?.getTime() ?? 0);
  }
  return newest;
}

async function ensureBundle(): Promise<void> {
  const bundle = await Deno.stat(`${root}static/islands/_boot.js`).catch(() => undefined);
  const sources = Math.max(
    await newestMtime(`${root}islands`),
    await newestMtime(`${root}lib/shared`),
  );
  if (bundle?.mtime && bundle.mtime.getTime() >= sources) return;
  console.error("bosun: bundling islands (deno task build)");
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: ["task", "build"],
    cwd: root,
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (code !== 0) Deno.exit(code);
}
