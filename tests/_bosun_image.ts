/**
 * Builds a Bosun image offline — the closest to the distroless image that can be made here:
 * a root filesystem with the native Deno binary and its shared libraries, the app, and a
 * Deno cache holding only the app's dependencies, imported with `docker import`.
 */
import { sandboxFlags } from "../scripts/sandbox_flags.ts";
import { docker, ROOT } from "./_harness.ts";

/** The image's tag. */
export const BOSUN_IMAGE = "bosun-test/bosun:latest";

async function run(cmd: string, args: string[], env?: Record<string, string>): Promise<string> {
  const out = await new Deno.Command(cmd, { args, env, stdout: "piped", stderr: "piped" }).output();
  if (!out.success) {
    throw new Error(`${cmd} ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return new TextDecoder().decode(out.stdout);
}

/** Builds (every time: the source may have changed) and returns the tag. */
export async function buildBosunImage(): Promise<string> {
  const previous = (await docker("image", "inspect", "-f", "{{.Id}}", BOSUN_IMAGE).catch(() => ""))
    .trim();
  const rootfs = await Deno.makeTempDir({ prefix: "bosun-rootfs-" });
  try {
    const deno = Deno.execPath();
    for (
      const dir of ["bin", "app", "data", "tmp", "etc", "deno-dir", "lib64", "lib/x86_64-linux-gnu"]
    ) {
      await Deno.mkdir(`${rootfs}/${dir}`, { recursive: true });
    }
    await Deno.copyFile(deno, `${rootfs}/bin/deno`);
    await Deno.chmod(`${rootfs}/bin/deno`, 0o755);
    const libs = (await run("ldd", [deno])).split("\n").map((l) => /=> (\S+)|^\s*(\/\S+)/.exec(l))
      .flatMap((m) => m ? [m[1] ?? m[2]] : []);
    for (const lib of libs) {
      await Deno.mkdir(`${rootfs}${lib.slice(0, lib.lastIndexOf("/"))}`, { recursive: true });
      await Deno.copyFile(await Deno.realPath(lib), `${rootfs}${lib}`);
    }
    await Deno.writeTextFile(`${rootfs}/etc/passwd`, "root:x:0:0:root:/:/bin/deno\n");
    await Deno.writeTextFile(`${rootfs}/etc/hosts`, "127.0.0.1 localhost\n");
    for (
      const entry of [
        "main.ts",
        "app.ts",
        "config.ts",
        "deno.json",
        "deno.lock",
        "lib",
        "routes",
        "islands",
        "static",
        "scripts",
      ]
    ) {
      await run("cp", ["-a", `${ROOT}${entry}`, `${rootfs}/app/`]);
    }
    await run(deno, [
      "cache",
      "--quiet",
      `${rootfs}/app/main.ts`,
      `${rootfs}/app/lib/auth/_argon2_worker.ts`,
    ], {
      DENO_DIR: `${rootfs}/deno-dir`,
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      HOME: Deno.env.get("HOME") ?? "/root",
    });
    const flags = sandboxFlags({
      dataDir: "/data",
      root: "/app/",
      socketPath: "/var/run/docker.sock",
    }).map((f) => f.startsWith("--allow-read=") ? `${f},/deno-dir` : f);
    const entrypoint = JSON.stringify([
      "/bin/deno",
      "run",
      "--cached-only",
      ...flags,
      "/app/main.ts",
    ]);
    const tar = new Deno.Command("tar", { args: ["-C", rootfs, "-c", "."], stdout: "piped" })
      .spawn();
    const load = new Deno.Command("docker", {
      args: [
        "import",
        "-c",
        `ENTRYPOINT ${entrypoint}`,
        "-c",
        "ENV DENO_DIR=/deno-dir BOSUN_DATA_DIR=/data BOSUN_LISTEN=0.0.0.0 BOSUN_PORT=8420",
        "-c",
        "WORKDIR /app",
        "-",
        BOSUN_IMAGE,
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    await tar.stdout.pipeTo(load.stdin);
    const [tarStatus, loaded] = await Promise.all([tar.status, load.output()]);
    if (!tarStatus.success || !loaded.success) {
      throw new Error(`docker import failed: ${new TextDecoder().decode(loaded.stderr)}`);
    }
    // The previous build is left untagged: remove it, or each run keeps ~160 MiB.
    const built = (await docker("image", "inspect", "-f", "{{.Id}}", BOSUN_IMAGE)).trim();
    if (previous && previous !== built) await docker("rmi", previous).catch(() => undefined);
    return BOSUN_IMAGE;
  } finally {
    await Deno.remove(rootfs, { recursive: true });
  }
}
