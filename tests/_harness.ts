/**
 * Test harness: starts Bosun as a sandboxed subprocess (the same flags `deno task start`
 * uses) on a free port with a temporary data directory and the real Docker engine, plus an
 * HTTP client with a cookie jar and CSRF handling, and throwaway containers from the
 * offline test image.
 */
import { sandboxFlags } from "../scripts/sandbox_flags.ts";

/** The repository root, absolute, ending in "/". */
export const ROOT = decodeURIComponent(new URL("../", import.meta.url).pathname);
/** The offline image every test container is made from (built by scripts/test_env.sh). */
export const TEST_IMAGE = "bosun-test/busybox:latest";
/** A password that meets the policy. */
export const PASSWORD = "Correct-Horse-42!";

/** Options of one Bosun instance. */
export interface BosunOptions {
  env?: Record<string, string>;
  args?: string[];
  /** Replaces the sandbox flags (e.g. with the compile task's). */
  flags?: string[];
  dataDir?: string;
  dockerHost?: string;
  tls?: boolean;
  /** Do not wait for /healthz (for start-up failure tests). */
  expectExit?: boolean;
}

/** A running Bosun subprocess. */
export interface Bosun extends AsyncDisposable {
  url: string;
  port: number;
  dataDir: string;
  logs: () => string;
  stop: () => Promise<void>;
  /** Resolves when the process exits, with its output collected. */
  exited: Promise<Deno.CommandStatus>;
  /** Sends a signal (SIGKILL for crash tests). */
  kill: (signal: Deno.Signal) => void;
}

/** Asks the OS for a free TCP port on 127.0.0.1. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Default environment for test instances: generous limits so tests do not trip them. */
export const TEST_ENV = {
  BOSUN_LOGIN_LIMIT_MINUTE: "1000",
  BOSUN_RATE_LIMIT_MINUTE: "10000",
  BOSUN_RATE_LIMIT_HOUR: "100000",
  BOSUN_LOG_LEVEL: "warn",
};

/** Starts Bosun and waits until `/healthz` answers. */
export async function startBosun(options: BosunOptions = {}): Promise<Bosun> {
  const port = freePort();
  const dataDir = options.dataDir ?? await Deno.makeTempDir({ prefix: "bosun-test-" });
  const dockerHost = options.dockerHost ?? "unix:///var/run/docker.sock";
  const flags = options.flags ?? sandboxFlags({
    dataDir,
    root: ROOT,
    socketPath: dockerHost.startsWith("unix://") ? dockerHost.slice(7) : undefined,
  });
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...flags,
      `${ROOT}main.ts`,
      "--port",
      String(port),
      "--listen",
      "127.0.0.1",
      "--data-dir",
      dataDir,
      "--docker-host",
      dockerHost,
      ...(options.args ?? []),
    ],
    env: { ...TEST_ENV, ...options.env },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let output = "";
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) output += decoder.decode(chunk, { stream: true });
  };
  const collecting = Promise.all([collect(child.stdout), collect(child.stderr)]);
  const url = `${options.tls ? "https" : "http"}://127.0.0.1:${port}`;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    try {
      child.kill("SIGTERM");
    } catch {
      // already exited
    }
    await child.status;
    await collecting;
  };
  const bosun: Bosun = {
    url,
    port,
    dataDir,
    logs: () => output,
    stop,
    exited: child.status.then(async (status) => (await collecting, status)),
    kill: (signal) => child.kill(signal),
    [Symbol.asyncDispose]: async () => {
      await stop();
      if (!options.dataDir) await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    },
  };
  if (options.expectExit) return bosun;
  try {
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const exited = await Promise.race([
        child.status.then(() => true),
        sleep(150).then(() => false),
      ]);
      if (exited) throw new Error(`Bosun exited during start-up:\n${output}`);
      if (await healthy(url, options.tls)) return bosun;
    }
    throw new Error(`Bosun did not answer /healthz within 20 s:\n${output}`);
  } catch (err) {
    await bosun[Symbol.asyncDispose]();
    throw err;
  }
}

async function healthy(url: string, tls?: boolean): Promise<boolean> {
  try {
    if (tls) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(new URL(url).port) });
      conn.close();
      return true;
    }
    const res = await fetch(`${url}/healthz`);
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

/** Sleeps `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** An HTTP client with a cookie jar that sends the CSRF token and Origin like a browser. */
export class Client {
  cookies = new Map<string, string>();
  csrfToken = "";
  constructor(readonly base: string, readonly httpClient?: Deno.HttpClient) {}

  /** One request; `body` is sent as JSON (bytes or a stream as they are). Browser-like headers unless overridden. */
  async req(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    const h: Record<string, string> = { Accept: "application/json" };
    if (this.cookies.size) {
      h.Cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    }
    if (method !== "GET" && method !== "HEAD") {
      h.Origin = this.base;
      if (this.csrfToken) h["X-CSRF-Token"] = this.csrfToken;
    }
    const raw = body instanceof Uint8Array || body instanceof ReadableStream;
    if (body !== undefined) {
      h["Content-Type"] = raw ? "application/octet-stream" : "application/json";
    }
    for (const [k, v] of Object.entries(headers)) {
      if (v === "") delete h[k];
      else h[k] = v;
    }
    const res = await fetch(this.base + path, {
      method,
      headers: h,
      body: body === undefined
        ? undefined
        : raw || typeof body === "string"
        ? body as BodyInit
        : JSON.stringify(body),
      redirect: "manual",
      client: this.httpClient,
    });
    for (const cookie of res.headers.getSetCookie()) {
      const [pair] = cookie.split(";");
      const [name, ...rest] = pair.split("=");
      const value = rest.join("=");
      if (/max-age=0/i.test(cookie) || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  /** A request whose JSON body is returned with the status. */
  async json<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: T; headers: Headers }> {
    const res = await this.req(method, path, body, headers);
    const text = await res.text();
    return {
      status: res.status,
      body: (text ? JSON.parse(text) : undefined) as T,
      headers: res.headers,
    };
  }

  /** Signs in and remembers the CSRF token. */
  async login(password = PASSWORD, remember = false): Promise<void> {
    const r = await this.json<{ csrfToken: string }>("POST", "/api/auth/login", {
      password,
      remember,
    });
    if (r.status !== 200) throw new Error(`login failed: ${r.status} ${JSON.stringify(r.body)}`);
    this.csrfToken = r.body.csrfToken;
  }
}

/** Runs setup with `PASSWORD` and returns a signed-in client. */
export async function setupAndLogin(bosun: Bosun): Promise<Client> {
  const client = new Client(bosun.url);
  const setup = await client.req("POST", "/api/auth/setup", { password: PASSWORD });
  await setup.body?.cancel();
  if (setup.status !== 201) throw new Error(`setup failed: ${setup.status}`);
  await client.login();
  return client;
}

/** Runs the docker CLI and returns stdout; throws with stderr on failure. */
export async function docker(...args: string[]): Promise<string> {
  const out = await new Deno.Command("docker", { args, stdout: "piped", stderr: "piped" }).output();
  if (!out.success) {
    throw new Error(`docker ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return new TextDecoder().decode(out.stdout);
}

/**
 * Removes containers with their anonymous volumes, also those a recreate or restore
 * re-attached by name, which `docker rm -v` leaves behind. Missing containers are skipped.
 */
export async function removeContainers(...refs: string[]): Promise<void> {
  const present = (await Promise.all(
    refs.map((r) => docker("inspect", "-f", "{{.Id}}", r).then((id) => id.trim(), () => "")),
  )).filter(Boolean);
  if (!present.length) return;
  const anonymous = (await docker(
    "inspect",
    "-f",
    '{{range .Mounts}}{{if eq .Type "volume"}}{{.Name}} {{end}}{{end}}',
    ...present,
  )).split(/\s+/).filter((n) => /^[0-9a-f]{64}$/.test(n));
  await docker("rm", "-f", "-v", ...present);
  if (anonymous.length) await docker("volume", "rm", ...anonymous).catch(() => undefined);
}

/** Throwaway containers labelled with one run id, removed on dispose. */
export class TestContainers implements AsyncDisposable {
  readonly runId = crypto.randomUUID().slice(0, 8);
  readonly label = `bosun-test-run=${this.runId}`;

  /** Creates (and by default starts) a container running `command` (default `sleep 3600`). */
  async create(
    name: string,
    options: { start?: boolean; args?: string[]; command?: string[] } = {},
  ): Promise<string> {
    const full = `bt-${this.runId}-${name}`;
    const id = await docker(
      options.start === false ? "create" : "run",
      ...(options.start === false ? [] : ["-d"]),
      "--name",
      full,
      "--label",
      this.label,
      ...(options.args ?? []),
      TEST_IMAGE,
      ...(options.command ?? ["sleep", "3600"]),
    );
    return id.trim();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    const ids = (await docker("ps", "-aq", "--filter", `label=${this.label}`)).split("\n")
      .filter(Boolean);
    // `-v` takes their anonymous volumes along; named ones carry the run id in their names
    // (`bt-<run>-x`, and restores' `x_bt-<run>-y`), as do networks the tests create.
    await removeContainers(...ids);
    for (const kind of ["volume", "network"]) {
      const names = (await docker(kind, "ls", "-q", "--filter", `name=bt-${this.runId}`))
        .split("\n").filter(Boolean);
      if (names.length) await docker(kind, "rm", ...names).catch(() => undefined);
    }
  }
}

/** Sends a raw HTTP/1.1 request (for headers fetch will not let a test set, like Host). */
export async function rawRequest(
  port: number,
  head: string,
): Promise<{ status: number; text: string }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(new TextEncoder().encode(head.replaceAll("\n", "\r\n") + "\r\n\r\n"));
    let text = "";
    const buf = new Uint8Array(16384);
    while (true) {
      const n = await conn.read(buf);
      if (n === null) break;
      text += new TextDecoder().decode(buf.subarray(0, n));
      if (/\r\n\r\n/.test(text) && /content-length: (\d+)/i.test(text)) {
        const len = Number(/content-length: (\d+)/i.exec(text)![1]);
        if (text.length - text.indexOf("\r\n\r\n") - 4 >= len) break;
      }
    }
    return { status: Number(text.split(" ")[1]), text };
  } finally {
    conn.close();
  }
}
