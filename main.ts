/**
 * Bosun's entry point: load config → open the database → build the Docker client and
 * services → `createApp(deps)` → serve. Also the `reset-password` sub-command.
 */
import { createApp } from "./app.ts";
import {
  BINARY_DATA_ROOTS,
  type Config,
  ConfigError,
  helpText,
  loadConfig,
  readEnv,
} from "./config.ts";
import { AuthService } from "./lib/auth/auth_service.ts";
import { detectSelfContainerId } from "./lib/containers/self.ts";
import { openDatabase } from "./lib/db/database.ts";
import { DockerClient } from "./lib/docker/client.ts";
import { EngineMonitor } from "./lib/docker/monitor.ts";
import { createLogger, type Logger } from "./lib/log/logger.ts";
import { RateLimiter } from "./lib/ratelimit/rate_limiter.ts";
import { StatsCache } from "./lib/stats/stats_cache.ts";
import { collectHelpers } from "./lib/backup/helper.ts";
import { PullJobs } from "./lib/images/pulls.ts";
import { hostEnvironment } from "./lib/settings/settings.ts";
import { StackJobs } from "./lib/stacks/jobs.ts";
import { HealthMonitor } from "./lib/health/monitor.ts";
import { HardwareProfileService, PROFILE_INTERVALS } from "./lib/host/hardware.ts";
import { getInfo } from "./lib/docker/system.ts";
import { seedSettings } from "./lib/settings/settings.ts";
import { UpdateService } from "./lib/updates/service.ts";
import { removePartials } from "./lib/backup/writer.ts";
import { Notifier } from "./lib/notify/notifier.ts";
import { connectNotifications } from "./lib/notify/wiring.ts";
import { openTarget } from "./lib/storage/targets.ts";
import { uploadBackup, uploadFile } from "./lib/storage/s3_backups.ts";
import { pruneAudit } from "./lib/audit/audit.ts";
import {
  configBackupName,
  pruneConfigBackups,
  restoreConfigBackup,
  writeConfigBackup,
} from "./lib/system/config_backup.ts";
import { getSealed } from "./lib/settings/sealed.ts";
import { Scheduler } from "./lib/schedules/scheduler.ts";
import { ContainerLocks } from "./lib/containers/locks.ts";
import { BackupQueue } from "./lib/backup/queue.ts";
import { getSettings } from "./lib/settings/settings.ts";
import { HostSampler } from "./lib/host/host_stats.ts";
import { SecretBox } from "./lib/secrets/secret_box.ts";

/** Bosun's version. */
export const VERSION = "0.1.0";

class StartupError extends Error {
  override name = "StartupError";
}

async function main(args: string[]): Promise<number> {
  let config: Config;
  try {
    config = loadConfig(args, readEnv);
  } catch (err) {
    if (err instanceof ConfigError) return fail(err.message, 2);
    throw err;
  }
  if (config.command === "help") return void console.log(helpText()), 0;
  if (config.command === "version") return void console.log(`bosun ${VERSION}`), 0;
  const log = createLogger(config.logLevel, { service: "bosun" });
  try {
    return await run(config, log);
  } catch (err) {
    if (err instanceof StartupError || err instanceof ConfigError) return fail(err.message, 1);
    if (err instanceof Error && err.name === "SecretKeyError") return fail(err.message, 1);
    if (err instanceof Error && ["ValidationError", "ConflictError"].includes(err.name)) {
      return fail(err.message, 1); // restore-config refusals
    }
    throw err;
  }
}

async function run(config: Config, log: Logger): Promise<number> {
  // A stray rejection (e.g. a node:http stream the engine reset mid-transfer) is logged,
  // never fatal: one failed job must not take the whole service down.
  globalThis.addEventListener("unhandledrejection", (event) => {
    event.preventDefault();
    log.error("unhandled rejection", { error: event.reason });
  });
  const dataDir = await prepareDataDir(config);
  if (config.command === "restore-config") {
    const r = await restoreConfigBackup(config.configFile!, dataDir, config.configPassphrase);
    console.log(
      `Restored the configuration into ${dataDir}` +
        (r.secretKeyRestored
          ? " with its secret key: stored credentials work again."
          : " without a secret key: re-enter storage and notification secrets."),
    );
    return 0;
  }
  const db = openDatabase(`${dataDir}/bosun.db`);
  const secrets = await SecretBox.open(`${dataDir}/config/secret.key`);
  const auth = new AuthService(db, {
    idleMs: config.sessionIdle,
    maxMs: config.sessionMax,
    rememberMs: config.sessionRemember,
  });

  if (config.command === "reset-password") {
    if (config.adminPassword) {
      throw new StartupError("BOSUN_ADMIN_PASSWORD manages the password: change it there instead");
    }
    const temporary = await auth.resetPassword();
    db.prepare(
      `INSERT INTO audit_log (ts, action, result, user) VALUES (?, 'auth.password.reset', 'success', 'cli')`,
    ).run(Date.now());
    console.log(
      `Temporary password (valid once; a new password is required at sign-in):\n${temporary}`,
    );
    db.close();
    return 0;
  }

  if (config.adminPassword) {
    try {
      if (await auth.applyEnvironmentPassword(config.adminPassword)) {
        log.info("admin password set from BOSUN_ADMIN_PASSWORD; all sessions revoked");
      }
    } catch (err) {
      throw new StartupError(`BOSUN_ADMIN_PASSWORD is refused: ${(err as Error).message}`);
    }
  }

  const docker = new DockerClient({
    host: config.dockerHost,
    timeoutMs: config.dockerTimeout,
    tls: await loadDockerTls(config),
  });
  const engine = new EngineMonitor(docker, log, config.dockerCheckInterval);
  engine.start();
  await engine.check();
  const vaultDir = `${dataDir}/backups`;
  await Deno.mkdir(vaultDir, { recursive: true, mode: 0o700 });
  const leftovers = await removePartials(vaultDir);
  if (leftovers) log.warn("removed unfinished backup files", { count: leftovers });
  if (engine.status.reachable) {
    // In the background: removing a helper the engine still holds (a stream a killed Bosun
    // left open) can take as long as the engine's timeout, and start-up must not wait for it.
    void collectHelpers(docker).then(
      (helpers) => helpers && log.info("removed leftover helper containers", { count: helpers }),
      () => {},
    );
  }

  const stats = new StatsCache(docker, log, config.statsInterval);
  stats.start();

  const hostname = safeHostname();
  const defaultServerName = hostname.replace(/[^A-Za-z0-9._-]/g, "-") || "bosun";
  const settings = () => getSettings(db, { serverName: defaultServerName });
  const serverName = () => settings().serverName;
  const locks = new ContainerLocks();
  const selfId = await detectSelfContainerId(docker, {
    configured: config.selfContainer,
    hostname,
  });
  const notifier = new Notifier(db, secrets, log, serverName);
  const backups = new BackupQueue(db, docker, log, {
    vaultDir,
    serverName,
    version: VERSION,
    labelCommands: () => settings().backupLabelCommands,
    files: () => {
      const s = settings();
      const [uid, gid] = s.backupFileOwner.split(":").map(Number);
      return {
        mode: parseInt(s.backupFileMode, 8),
        owner: s.backupFileOwner ? { uid, gid } : undefined,
      };
    },
    locks,
    selfId,
    copy: async (file, target, signal, onProgress) => {
      const t = await openTarget(db, secrets, target);
      try {
        await uploadBackup(t.client, t.prefix, vaultDir, file, { signal, onProgress });
      } catch (err) {
        if (!signal.aborted) {
          notifier.notify({
            type: "storage.unreachable",
            title: `Storage target ${t.view.name} failed`,
            message: `Copying ${file} failed: ${(err as Error).message}`,
            details: { target: t.view.name, file },
          });
        }
        throw err;
      }
    },
  });
  const scheduler = new Scheduler({
    db,
    docker,
    queue: backups,
    log,
    vaultDir,
    selfId,
    graceMs: config.scheduleGrace,
    configBackup: async () => {
      const file = configBackupName(serverName(), new Date());
      await writeConfigBackup(db, dataDir, `${vaultDir}/${file}`, {
        server: serverName(),
        version: VERSION,
        passphrase: await getSealed(db, secrets, "configBackupPassphrase"),
      });
      await pruneConfigBackups(vaultDir, 10);
      return file;
    },
    copyFile: async (file, target) => {
      const t = await openTarget(db, secrets, target);
      await uploadFile(t.client, t.prefix + file, `${vaultDir}/${file}`, "application/gzip");
      return t.view.name;
    },
  });
  connectNotifications(notifier, backups, scheduler);
  const interrupted = await backups.recover();
  if (interrupted) {
    log.warn("backups interrupted by the last stop were marked failed", { interrupted });
  }
  scheduler.start();
  const updates = new UpdateService({
    db,
    docker,
    secrets,
    locks,
    backups,
    selfId,
    log,
    notifier,
    defaultServerName,
    stabilizeMs: () => settings().updateStabilizeSeconds * 1000,
    healthTimeoutMs: config.updateHealthTimeout,
    hostEnvironment: () => hostEnvironment(db),
  });
  if (engine.status.reachable) {
    await updates.recover().catch((err) =>
      log.error("could not repair interrupted updates", { error: err })
    );
  }
  updates.start();
  const hardware = new HardwareProfileService(() => getInfo(docker).then((i) => i.kernelVersion));
  if (engine.status.reachable) {
    // First start: check intervals from the hardware profile (Settings can change them).
    const hw = await hardware.get();
    seedSettings(db, PROFILE_INTERVALS[hw.profile]);
  }
  const pulls = new PullJobs(docker);
  const health = new HealthMonitor({
    docker,
    db,
    log,
    notifier,
    settings,
    statsOf: (id) => stats.snapshot().containers.find((c) => c.id === id)?.latest ?? null,
  });
  health.start();
  const pruneAuditLog = () => {
    const pruned = pruneAudit(db, config.auditRetention);
    if (pruned) log.info("pruned old audit rows", { pruned });
  };
  pruneAuditLog();
  const auditTimer = setInterval(pruneAuditLog, 86_400_000);

  const publicHost = config.publicUrl ? new URL(config.publicUrl).hostname : undefined;
  const allowedHosts = [hostname, `${hostname}.local`, ...config.allowedHosts];
  if (publicHost) allowedHosts.push(publicHost);
  const limiter = new RateLimiter({
    api: [
      { limit: config.rateLimitMinute, windowMs: 60_000 },
      { limit: config.rateLimitHour, windowMs: 3_600_000 },
    ],
    login: [{ limit: config.loginLimitMinute, windowMs: 60_000 }],
    restore: [{ limit: config.restoresPerHour, windowMs: 3_600_000 }],
    upload: [{ limit: config.uploadsPerHour, windowMs: 3_600_000 }],
    update: [{ limit: config.updatesPerHour, windowMs: 3_600_000 }],
  });
  const app = createApp({
    db,
    docker,
    engine,
    auth,
    limiter,
    log,
    version: VERSION,
    defaultServerName,
    staticDir: decodeURIComponent(new URL("./static/", import.meta.url).pathname),
    assetVersion: Date.now().toString(36),
    allowedHosts,
    trustedProxies: config.trustedProxies,
    forceHttps: config.forceHttps,
    passwordFromEnvironment: config.adminPassword !== undefined,
    locks,
    scheduler,
    notifier,
    secrets,
    uploads: {
      maxBytes: config.uploadMax,
      maxUnpackedBytes: config.uploadMaxUnpacked,
      maxEntries: config.uploadMaxEntries,
    },
    linkTtlMs: config.downloadLinkTtl,
    rememberMs: config.sessionRemember,
    selfId,
    stats,
    host: new HostSampler(dataDir),
    dataDir,
    vaultDir,
    backups,
    updates,
    pulls,
    stackJobs: new StackJobs(),
    health,
    hardware,
  });

  const tls = await loadServerTls(config, dataDir, hostname, log);
  const pruner = setInterval(() => auth.pruneExpiredSessions(), 60_000);
  const server = Deno.serve({
    hostname: config.listen,
    port: config.port,
    ...(tls ?? {}),
    onListen: ({ hostname: h, port }) =>
      log.info("listening", {
        url: `${tls ? "https" : "http"}://${h.includes(":") ? `[${h}]` : h}:${port}`,
        dataDir,
        docker: config.dockerHost,
        setUp: auth.isSetUp(),
      }),
  }, (req, info) => {
    const remote = info.remoteAddr as Deno.NetAddr;
    return app.fetch(req, { remoteAddr: remote.hostname, tls: tls !== undefined });
  });

  const shutdown = () => {
    log.info("shutting down");
    clearInterval(pruner);
    engine.stop();
    stats.stop();
    scheduler.stop();
    updates.stop();
    health.stop();
    clearInterval(auditTimer);
    server.shutdown();
  };
  Deno.addSignalListener("SIGINT", shutdown);
  Deno.addSignalListener("SIGTERM", shutdown);
  await server.finished;
  docker.close();
  db.close();
  return 0;
}

async function prepareDataDir(config: Config): Promise<string> {
  const dataDir = config.dataDir.replace(/\/+$/, "") || "/";
  const status = await Deno.permissions.query({ name: "write", path: dataDir });
  if (status.state !== "granted") {
    throw new StartupError(
      `The data directory ${dataDir} is outside what this build may write (` +
        `${
          config.isBinary ? BINARY_DATA_ROOTS.join(", ") : "the directories it was started with"
        }). ` +
        `Use --data-dir under one of them, or run from source with ` +
        `"deno task start --data-dir ${dataDir}", which grants exactly that directory`,
    );
  }
  try {
    await Deno.mkdir(`${dataDir}/config`, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new StartupError(
      `Cannot create the data directory ${dataDir}: ${(err as Error).message}`,
    );
  }
  return dataDir;
}

async function loadDockerTls(config: Config) {
  if (!config.dockerHost.startsWith("tcp://") || !config.dockerCertPath) return undefined;
  const dir = config.dockerCertPath;
  try {
    const [cert, key] = await Promise.all([
      Deno.readTextFile(`${dir}/cert.pem`),
      Deno.readTextFile(`${dir}/key.pem`),
    ]);
    const ca = await Deno.readTextFile(`${dir}/ca.pem`).catch(() => undefined);
    return { ca, cert, key };
  } catch (err) {
    throw new StartupError(`Cannot read the Docker TLS files in ${dir}: ${(err as Error).message}`);
  }
}

async function loadServerTls(config: Config, dataDir: string, hostname: string, log: Logger) {
  if (config.tls === "off") return undefined;
  if (config.tls === "files") {
    try {
      return {
        cert: await Deno.readTextFile(config.tlsCert!),
        key: await Deno.readTextFile(config.tlsKey!),
      };
    } catch (err) {
      throw new StartupError(`Cannot read the TLS certificate or key: ${(err as Error).message}`);
    }
  }
  const ips = ["127.0.0.1", "::1", ...localAddresses()];
  const { ensureSelfSigned } = await import("./lib/tls/self_signed.ts");
  const pair = await ensureSelfSigned(`${dataDir}/config/tls`, {
    dns: [hostname, "localhost", ...config.allowedHosts],
    ips,
  });
  if (pair.created) {
    log.info("generated a self-signed certificate", { dir: `${dataDir}/config/tls` });
  }
  return { cert: pair.cert, key: pair.key };
}

function localAddresses(): string[] {
  try {
    return Deno.networkInterfaces().filter((i) => !i.address.startsWith("fe80")).map((i) =>
      i.address
    );
  } catch {
    return [];
  }
}

function safeHostname(): string {
  try {
    return Deno.hostname().toLowerCase();
  } catch {
    return "bosun";
  }
}

function fail(message: string, code: number): number {
  console.error(`bosun: ${message}`);
  return code;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
