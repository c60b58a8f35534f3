/** Builds the app in-process (for route tests) with an in-memory database and the real engine. */
import type { OpenAPIHono } from "@hono/zod-openapi";
import { createApp } from "../app.ts";
import { AuthService } from "../lib/auth/auth_service.ts";
import { openDatabase } from "../lib/db/database.ts";
import { DockerClient } from "../lib/docker/client.ts";
import { EngineMonitor } from "../lib/docker/monitor.ts";
import { createLogger } from "../lib/log/logger.ts";
import { RateLimiter } from "../lib/ratelimit/rate_limiter.ts";
import { StatsCache } from "../lib/stats/stats_cache.ts";
import { HostSampler } from "../lib/host/host_stats.ts";
import { Notifier } from "../lib/notify/notifier.ts";
import { SecretBox } from "../lib/secrets/secret_box.ts";
import { Scheduler } from "../lib/schedules/scheduler.ts";
import { ContainerLocks } from "../lib/containers/locks.ts";
import { PullJobs } from "../lib/images/pulls.ts";
import { StackJobs } from "../lib/stacks/jobs.ts";
import { HealthMonitor } from "../lib/health/monitor.ts";
import { HardwareProfileService } from "../lib/host/hardware.ts";
import { getSettings } from "../lib/settings/settings.ts";
import { UpdateService } from "../lib/updates/service.ts";
import { BackupQueue } from "../lib/backup/queue.ts";
import type { AppEnv } from "../routes/_env.ts";
import { ROOT } from "./_harness.ts";

/** An in-process app and the services behind it; dispose closes them. */
export interface TestApp extends Disposable {
  app: OpenAPIHono<AppEnv>;
  auth: AuthService;
  request: (path: string, init?: RequestInit) => Promise<Response>;
}

/** One secrets box for every in-process test app (its key lives in a temp dir). */
const SECRETS = await SecretBox.open(`${await Deno.makeTempDir()}/secret.key`);

/** Builds the app as `main.ts` does, with an in-memory database. */
export function buildTestApp(
  dockerHost = "unix:///var/run/docker.sock",
  options: { selfId?: string } = {},
): TestApp {
  const db = openDatabase(":memory:");
  const docker = new DockerClient({ host: dockerHost, timeoutMs: 5000 });
  const log = createLogger("error");
  const engine = new EngineMonitor(docker, log, 60_000);
  const stats = new StatsCache(docker, log, 3_600_000);
  const auth = new AuthService(db, { idleMs: 60_000, maxMs: 3_600_000, rememberMs: 86_400_000 });
  const limiter = new RateLimiter({
    api: [{ limit: 100_000, windowMs: 60_000 }],
    login: [{ limit: 100_000, windowMs: 60_000 }],
    restore: [{ limit: 100_000, windowMs: 60_000 }],
    update: [{ limit: 100_000, windowMs: 60_000 }],
  });
  const locks = new ContainerLocks();
  const secrets = SECRETS;
  const queue = new BackupQueue(db, docker, log, {
    vaultDir: "/nonexistent/bosun-test-vault",
    serverName: () => "test",
    version: "test",
    labelCommands: () => false,
    locks,
  });
  const app = createApp({
    db,
    docker,
    engine,
    auth,
    limiter,
    log,
    version: "test",
    defaultServerName: "test",
    staticDir: `${ROOT}static/`,
    assetVersion: "t",
    allowedHosts: [],
    trustedProxies: [],
    forceHttps: false,
    passwordFromEnvironment: false,
    rememberMs: 86_400_000,
    selfId: options.selfId,
    stats,
    host: new HostSampler("/tmp"),
    dataDir: "/nonexistent/bosun-test-data",
    vaultDir: "/nonexistent/bosun-test-vault",
    locks,
    secrets,
    notifier: new Notifier(db, secrets, log, () => "test"),
    scheduler: new Scheduler({
      db,
      docker,
      queue,
      log,
      vaultDir: "/nonexistent/bosun-test-vault",
      graceMs: 0,
    }),
    uploads: { maxBytes: 1e6, maxUnpackedBytes: 1e7, maxEntries: 1000 },
    linkTtlMs: 3_600_000,
    backups: queue,
    updates: new UpdateService({
      db,
      docker,
      secrets,
      locks,
      log,
      notifier: new Notifier(db, secrets, log, () => "test"),
      defaultServerName: "test",
      stabilizeMs: () => 1000,
      healthTimeoutMs: 1000,
    }),
    pulls: new PullJobs(docker),
    stackJobs: new StackJobs(),
    health: new HealthMonitor({
      docker,
      db,
      log,
      notifier: new Notifier(db, secrets, log, () => "test"),
      settings: () => getSettings(db, { serverName: "test" }),
      statsOf: () => null,
    }),
    hardware: new HardwareProfileService(() => Promise.resolve(undefined)),
  });
  return {
    app,
    auth,
    request: (path, init) => {
      const headers = new Headers(init?.headers);
      if (!headers.has("Host")) headers.set("Host", "localhost");
      return Promise.resolve(
        app.request(`http://localhost${path}`, { ...init, headers }, { remoteAddr: "127.0.0.1" }),
      );
    },
    [Symbol.dispose]: () => {
      engine.stop();
      stats.stop();
      docker.close();
      db.close();
    },
  };
}
