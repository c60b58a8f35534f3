/** Builds the Hono app from constructed services: middleware, API routes, pages, errors. */
import type { ContainerLocks } from "./lib/containers/locks.ts";
import type { UploadLimits } from "./lib/backup/upload.ts";
import type { Scheduler } from "./lib/schedules/scheduler.ts";
import type { Notifier } from "./lib/notify/notifier.ts";
import type { SecretBox } from "./lib/secrets/secret_box.ts";
import { createNotificationRoutes } from "./routes/notifications.ts";
import { createStorageRoutes } from "./routes/storage.ts";
import { createConfigBackupRoutes } from "./routes/config_backup.ts";
import { createVolumeRoutes } from "./routes/volumes.ts";
import { createImageRoutes } from "./routes/images.ts";
import { createNetworkRoutes } from "./routes/networks.ts";
import { createContainerCreateRoutes } from "./routes/container_create.ts";
import type { HardwareProfileService } from "./lib/host/hardware.ts";
import { createStackRoutes } from "./routes/stacks.ts";
import { createSwarmRoutes } from "./routes/swarm.ts";
import { createHealthRoutes, createLogAnalysisRoutes } from "./routes/health.ts";
import { createExportRoutes } from "./routes/exports.ts";
import type { HealthMonitor } from "./lib/health/monitor.ts";
import type { StackJobs } from "./lib/stacks/jobs.ts";
import { parseReference } from "./lib/images/reference.ts";
import { pullAuthFor } from "./lib/images/credentials.ts";
import { createUpdateRoutes } from "./routes/updates.ts";
import type { PullJobs } from "./lib/images/pulls.ts";
import type { UpdateService } from "./lib/updates/service.ts";
import { createScheduleRoutes } from "./routes/schedules.ts";
import { OpenAPIHono } from "@hono/zod-openapi";
import type { DatabaseSync } from "node:sqlite";
import type { AuthService } from "./lib/auth/auth_service.ts";
import type { DockerClient } from "./lib/docker/client.ts";
import { DockerUnavailableError } from "./lib/docker/errors.ts";
import type { EngineMonitor } from "./lib/docker/monitor.ts";
import { NotFoundError } from "./lib/errors.ts";
import { getSettings } from "./lib/settings/settings.ts";
import type { BackupQueue } from "./lib/backup/queue.ts";
import type { Logger } from "./lib/log/logger.ts";
import type { RateLimiter } from "./lib/ratelimit/rate_limiter.ts";
import { createAuthRoutes } from "./routes/auth.ts";
import { createBackupRoutes, createDownloadLinkRoutes } from "./routes/backups.ts";
import { createContainerLogRoutes } from "./routes/container_logs.ts";
import { createContainerRoutes } from "./routes/containers.ts";
import { createRecreateRoutes } from "./routes/container_recreate.ts";
import { createEventRoutes } from "./routes/events.ts";
import { createExecRoutes } from "./routes/exec.ts";
import { createHostRoutes } from "./routes/host.ts";
import type { HostSampler } from "./lib/host/host_stats.ts";
import type { AppEnv } from "./routes/_env.ts";
import {
  authenticate,
  csrf,
  forceHttps,
  hostAllowList,
  hostGuard,
  limitBody,
  rateLimit,
  requestContext,
  securityHeaders,
} from "./routes/_middleware.ts";
import { problemResponse, toProblem } from "./routes/_problem.ts";
import { createPageRoutes } from "./routes/pages/pages.tsx";
import { createStaticRoutes } from "./routes/static.ts";
import { createContainerStatsRoutes, createStatsRoutes } from "./routes/stats.ts";
import type { StatsCache } from "./lib/stats/stats_cache.ts";
import { createSystemRoutes } from "./routes/system.ts";

/** Everything the app needs, constructed once in `main.ts` (or a test). */
export interface AppDeps {
  db: DatabaseSync;
  docker: DockerClient;
  engine: EngineMonitor;
  auth: AuthService;
  limiter: RateLimiter;
  log: Logger;
  version: string;
  defaultServerName: string;
  staticDir: string;
  assetVersion: string;
  allowedHosts: string[];
  trustedProxies: string[];
  forceHttps: boolean;
  passwordFromEnvironment: boolean;
  rememberMs: number;
  stats: StatsCache;
  host: HostSampler;
  /** The data directory. */
  dataDir: string;
  /** The local backup vault, `<data>/backups`. */
  vaultDir: string;
  backups: BackupQueue;
  /** Caps on uploaded backups. */
  uploads: UploadLimits;
  /** Default lifetime of a backup download link. */
  linkTtlMs: number;
  /** Delivers notification events. */
  notifier: Notifier;
  /** Seals stored secrets (channel passwords, S3 keys). */
  secrets: SecretBox;
  /** Runs backup schedules. */
  scheduler: Scheduler;
  /** Per-container operation locks (a backup waits while a recreate runs, and back). */
  locks: ContainerLocks;
  /** Image update checks, safe updates and their history. */
  updates: UpdateService;
  /** Image pulls with live progress. */
  pulls: PullJobs;
  /** Stack deploys with live steps. */
  stackJobs: StackJobs;
  /** Health checks on an interval. */
  health: HealthMonitor;
  /** The host's hardware profile and container budget. */
  hardware: HardwareProfileService;
  /** Bosun's own container id when it runs in one (never stopped or removed by Bosun). */
  selfId?: string;
}

/** The whole HTTP application. */
export function createApp(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  app.use(requestContext(deps.log, deps.trustedProxies));
  app.use(securityHeaders());
  app.use(hostGuard(hostAllowList(deps.allowedHosts)));
  if (deps.forceHttps) app.use(forceHttps());
  app.use(rateLimit(deps.limiter));
  app.use(limitBody());
  app.use(authenticate(deps.auth));
  app.use(csrf(deps.db));

  app.get(
    "/healthz",
    (c) => c.json({ status: "ok", version: deps.version, docker: deps.engine.status.reachable }),
  );
  app.route(
    "/api/auth",
    createAuthRoutes({
      db: deps.db,
      auth: deps.auth,
      limiter: deps.limiter,
      passwordFromEnvironment: deps.passwordFromEnvironment,
      rememberMs: deps.rememberMs,
    }),
  );
  const containerDeps = {
    docker: deps.docker,
    db: deps.db,
    selfId: deps.selfId,
    locks: deps.locks,
  };
  const hardware = deps.hardware;
  const serverName = () => getSettings(deps.db, { serverName: deps.defaultServerName }).serverName;
  app.route(
    "/api/containers",
    createContainerCreateRoutes({
      docker: deps.docker,
      db: deps.db,
      secrets: deps.secrets,
      hardware,
    }),
  );
  app.route("/api/containers", createRecreateRoutes(containerDeps));
  app.route("/api/containers", createContainerRoutes(containerDeps));
  app.route("/api", createExportRoutes({ docker: deps.docker, db: deps.db }));
  app.route("/api/containers", createLogAnalysisRoutes({ docker: deps.docker }));
  app.route("/api/containers", createContainerLogRoutes({ docker: deps.docker }));
  app.route(
    "/api/health",
    createHealthRoutes({ docker: deps.docker, db: deps.db, monitor: deps.health }),
  );
  app.route("/api/containers", createExecRoutes({ docker: deps.docker, db: deps.db }));
  app.route("/api/containers", createContainerStatsRoutes({ docker: deps.docker }));
  app.route(
    "/api/volumes",
    createVolumeRoutes({
      docker: deps.docker,
      db: deps.db,
      limiter: deps.limiter,
      uploadMaxBytes: deps.uploads.maxBytes,
    }),
  );
  app.route(
    "/api/networks",
    createNetworkRoutes({ docker: deps.docker, db: deps.db, hardware }),
  );
  app.route("/api/swarm", createSwarmRoutes({ docker: deps.docker, db: deps.db }));
  app.route(
    "/api/stacks",
    createStackRoutes({
      docker: deps.docker,
      db: deps.db,
      dataDir: deps.dataDir,
      selfId: deps.selfId,
      jobs: deps.stackJobs,
      pullAuth: (reference) => pullAuthFor(deps.db, deps.secrets, parseReference(reference)),
    }),
  );
  app.route(
    "/api/images",
    createImageRoutes({
      docker: deps.docker,
      db: deps.db,
      pulls: deps.pulls,
      secrets: deps.secrets,
    }),
  );
  app.route(
    "/api/updates",
    createUpdateRoutes({
      docker: deps.docker,
      db: deps.db,
      secrets: deps.secrets,
      limiter: deps.limiter,
      updates: deps.updates,
    }),
  );
  app.route("/api/stats", createStatsRoutes({ stats: deps.stats }));
  app.route("/api/events", createEventRoutes({ docker: deps.docker }));
  app.route(
    "/api/backups",
    createBackupRoutes({
      queue: deps.backups,
      docker: deps.docker,
      db: deps.db,
      limiter: deps.limiter,
      vaultDir: deps.vaultDir,
      serverName,
      version: deps.version,
      selfId: deps.selfId,
      notifier: deps.notifier,
      uploads: deps.uploads,
      linkTtlMs: deps.linkTtlMs,
    }),
  );
  app.route(
    "/api/notifications",
    createNotificationRoutes({ db: deps.db, secrets: deps.secrets, notifier: deps.notifier }),
  );
  app.route(
    "/api/storage",
    createStorageRoutes({
      db: deps.db,
      secrets: deps.secrets,
      docker: deps.docker,
      vaultDir: deps.vaultDir,
      limiter: deps.limiter,
    }),
  );
  app.route("/api/schedules", createScheduleRoutes({ db: deps.db, scheduler: deps.scheduler }));
  app.route("/dl", createDownloadLinkRoutes({ db: deps.db, vaultDir: deps.vaultDir }));
  app.route(
    "/api/system/config-backups",
    createConfigBackupRoutes({
      db: deps.db,
      dataDir: deps.dataDir,
      vaultDir: deps.vaultDir,
      serverName,
      version: deps.version,
      secrets: deps.secrets,
    }),
  );
  app.route("/api/system", createHostRoutes({ docker: deps.docker, host: deps.host }));
  app.route(
    "/api",
    createSystemRoutes({
      db: deps.db,
      engine: deps.engine,
      version: deps.version,
      defaultServerName: deps.defaultServerName,
    }),
  );
  app.doc31("/api/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Bosun API",
      version: deps.version,
      description: "Authenticate with `Authorization: Bearer <token>` (Settings → API tokens) " +
        "or the session cookie plus `X-CSRF-Token` for writes. Errors are RFC 9457 problems.",
    },
  });
  app.route("/static", createStaticRoutes(deps.staticDir));
  app.get("/favicon.ico", (c) => c.redirect("/static/icon.svg", 301));
  app.route("/", createPageRoutes(deps));

  app.notFound((c) => {
    if (c.req.path.startsWith("/api/")) {
      return problemResponse(
        c,
        toProblem(new NotFoundError(`No route ${c.req.method} ${c.req.path}`)),
      );
    }
    return c.html("<!doctype html><title>Not found — Bosun</title><p>Not found.</p>", 404);
  });
  app.onError((err, c) => {
    const problem = toProblem(err);
    if (err instanceof DockerUnavailableError) deps.engine.markUnreachable(err.message);
    if (problem.status >= 500) {
      c.var.log?.error("request failed", { error: err, path: c.req.path });
    }
    return problemResponse(c, problem);
  });
  return app;
}
