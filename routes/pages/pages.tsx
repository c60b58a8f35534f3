/** Server-rendered pages. Readable without JavaScript; islands add interaction. */
import { Hono } from "hono";
import type { Context } from "hono";
import type { DatabaseSync } from "node:sqlite";
import type { VNode } from "preact";
import { renderToString } from "preact-render-to-string";
import { z } from "zod";
import { PASSWORD_MAX_LENGTH } from "../../lib/shared/password_policy.ts";
import type { AuthService } from "../../lib/auth/auth_service.ts";
import type { DockerClient } from "../../lib/docker/client.ts";
import { inspectContainer, listContainers, topContainer } from "../../lib/docker/containers.ts";
import { toContainerDetails } from "../../lib/containers/details.ts";
import { ContainerRefSchema } from "../../lib/shared/containers.ts";
import { ContainerDetailsView } from "./_container_details.tsx";
import type { EngineMonitor } from "../../lib/docker/monitor.ts";
import { getEngineOverview } from "../../lib/host/engine_overview.ts";
import type { HostSampler } from "../../lib/host/host_stats.ts";
import { listEvents } from "../../lib/docker/events.ts";
import { Dashboard } from "./_dashboard.tsx";
import { getSettings } from "../../lib/settings/settings.ts";
import AuthForm from "../../islands/AuthForm.tsx";
import ContainerActions from "../../islands/ContainerActions.tsx";
import ContainerTable from "../../islands/ContainerTable.tsx";
import LiveStats from "../../islands/LiveStats.tsx";
import LogViewer from "../../islands/LogViewer.tsx";
import StatsBoard from "../../islands/StatsBoard.tsx";
import BackupVault from "../../islands/BackupVault.tsx";
import BackupForm from "../../islands/BackupForm.tsx";
import SchedulesBoard from "../../islands/SchedulesBoard.tsx";
import NotificationsPanel from "../../islands/NotificationsPanel.tsx";
import StoragePanel from "../../islands/StoragePanel.tsx";
import AuditLog from "../../islands/AuditLog.tsx";
import VolumesBoard from "../../islands/VolumesBoard.tsx";
import ImagesBoard from "../../islands/ImagesBoard.tsx";
import NetworksBoard from "../../islands/NetworksBoard.tsx";
import StacksBoard from "../../islands/StacksBoard.tsx";
import HealthBoard from "../../islands/HealthBoard.tsx";
import CreateContainer from "../../islands/CreateContainer.tsx";
import EditContainer from "../../islands/EditContainer.tsx";
import type { HardwareProfileService } from "../../lib/host/hardware.ts";
import { listNetworks } from "../../lib/docker/networks.ts";
import { type HealthMonitor, latestChecks } from "../../lib/health/monitor.ts";
import { listStacks } from "../../lib/stacks/deploy.ts";
import { swarmOverview } from "../../lib/swarm/swarm.ts";
import { listNetworkViews } from "../../lib/networks/networks.ts";
import { HELPER_LABEL } from "../../lib/containers/lifecycle.ts";
import UpdatesPanel from "../../islands/UpdatesPanel.tsx";
import { listImageViews } from "../../lib/images/images.ts";
import { listCredentials } from "../../lib/images/credentials.ts";
import { updateStates } from "../../lib/updates/checker.ts";
import { availableCount, lastCheckAt } from "../../lib/updates/store.ts";
import { historyViews } from "../../lib/updates/updater.ts";
import { listVolumeViews } from "../../lib/volumes/volumes.ts";
import { auditStats } from "../../lib/audit/audit.ts";
import { listTargets } from "../../lib/storage/targets.ts";
import { listChannels } from "../../lib/notify/channels.ts";
import { NOTIFICATION_EVENTS } from "../../lib/shared/notifications.ts";
import type { Scheduler } from "../../lib/schedules/scheduler.ts";
import { listSchedules } from "../../lib/schedules/store.ts";
import { listVault } from "../../lib/backup/vault.ts";
import { listNetworkBackups } from "../../lib/backup/networks.ts";
import Terminal from "../../islands/Terminal.tsx";
import EventsBoard from "../../islands/EventsBoard.tsx";
import { toEventDto } from "../events.ts";
import type { StatsCache } from "../../lib/stats/stats_cache.ts";
import SecurityPanel from "../../islands/SecurityPanel.tsx";
import SettingsForm from "../../islands/SettingsForm.tsx";
import { toContainerRow } from "../containers.ts";
import { setUp, signIn, type SignInDeps } from "../_sign_in.ts";
import { toProblem } from "../_problem.ts";
import type { AppEnv } from "../_env.ts";
import { Island } from "./_island.tsx";
import { Layout } from "./_layout.tsx";

/** What the pages need. */
export interface PageDeps extends SignInDeps {
  db: DatabaseSync;
  auth: AuthService;
  docker: DockerClient;
  engine: EngineMonitor;
  defaultServerName: string;
  assetVersion: string;
  version: string;
  selfId?: string;
  stats: StatsCache;
  host: HostSampler;
  vaultDir: string;
  /** The data directory (managed stacks live in `stacks/`). */
  dataDir: string;
  /** Health checks (for the Health page's last run). */
  health: HealthMonitor;
  /** The host's hardware profile and container budget. */
  hardware: HardwareProfileService;
  scheduler: Scheduler;
}

const FormSchema = z.object({
  password: z.string().min(1).max(PASSWORD_MAX_LENGTH),
  confirm: z.string().max(PASSWORD_MAX_LENGTH).optional(),
  remember: z.literal("on").optional(),
});

/** Builds the page routes. */
export function createPageRoutes(deps: PageDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const settings = () => getSettings(deps.db, { serverName: deps.defaultServerName });
  const serverName = () => settings().serverName;
  const page = (c: Context<AppEnv>, title: string, active: string, body: VNode, status = 200) => {
    const p = c.var.principal;
    const html = renderToString(
      <Layout
        title={title}
        active={active}
        serverName={serverName()}
        engine={deps.engine.status}
        csrfToken={p?.kind === "session" ? p.session.csrfToken : undefined}
        updatesAvailable={availableCount(deps.db)}
        assetVersion={deps.assetVersion}
      >
        {body}
      </Layout>,
    );
    return c.html("<!doctype html>" + html, status as 200);
  };
  const bare = (c: Context<AppEnv>, title: string, body: VNode, status = 200) =>
    c.html(
      "<!doctype html>" +
        renderToString(<Layout title={title} assetVersion={deps.assetVersion}>{body}</Layout>),
      status as 200,
    );
  const authPage = (c: Context<AppEnv>, mode: "login" | "setup", error?: string, status = 200) =>
    bare(
      c,
      mode === "login" ? "Sign in" : "Welcome to Bosun",
      <>
        {mode === "setup" && <p>Choose the admin password. There is no default password.</p>}
        <Island name="AuthForm" component={AuthForm} props={{ mode, error }} />
      </>,
      status,
    );
  // Form posts for browsers without JavaScript; the islands use the JSON API instead.
  const formPost = async (c: Context<AppEnv>, mode: "login" | "setup") => {
    const parsed = FormSchema.safeParse(await c.req.parseBody());
    if (!parsed.success) return authPage(c, mode, "Enter the password", 400);
    const { password, confirm, remember } = parsed.data;
    try {
      if (mode === "setup") {
        if (password !== confirm) return authPage(c, mode, "The passwords do not match", 400);
        await setUp(c, deps, password);
      }
      await signIn(c, deps, password, remember === "on");
      return c.redirect("/", 303);
    } catch (err) {
      const problem = toProblem(err);
      if (problem.status >= 500) throw err;
      if (problem.headers?.["Retry-After"]) c.header("Retry-After", problem.headers["Retry-After"]);
      return authPage(c, mode, problem.detail, problem.status);
    }
  };

  app.get("/login", (c) => {
    if (!deps.auth.isSetUp()) return c.redirect("/setup", 303);
    if (c.var.principal) return c.redirect("/", 303);
    return authPage(c, "login");
  });
  app.post("/login", (c) => formPost(c, "login"));

  app.get("/setup", (c) => {
    if (deps.auth.isSetUp()) return c.redirect("/login", 303);
    return authPage(c, "setup");
  });
  app.post("/setup", (c) => formPost(c, "setup"));

  app.get("/change-password", (c) =>
    page(
      c,
      "Change password",
      "/settings",
      <>
        {deps.auth.mustChangePassword() && (
          <p class="notice">You signed in with a temporary password: choose a new one.</p>
        )}
        <Island name="AuthForm" component={AuthForm} props={{ mode: "change" }} />
      </>,
    ));

  app.get("/", async (c) => {
    let body: VNode;
    try {
      const signal = c.req.raw.signal;
      const [engine, host, recent] = await Promise.all([
        getEngineOverview(deps.docker, { signal }),
        deps.host.sample(),
        listEvents(deps.docker, { signal }),
      ]);
      body = (
        <Dashboard
          engine={engine}
          host={host}
          events={recent.slice(-10).reverse()}
          nextBackup={deps.scheduler.soonest()}
          updates={{ available: availableCount(deps.db), lastCheck: lastCheckAt(deps.db) }}
          hardware={await deps.hardware.get().then((h) => ({
            profile: h.profile,
            budget: h.budget,
            cores: h.facts.cores,
            memoryBytes: h.facts.memoryBytes,
          }))}
        />
      );
    } catch (err) {
      body = <p class="error">Cannot read the engine: {(err as Error).message}</p>;
    }
    return page(c, "Dashboard", "/", body);
  });

  app.get("/containers", async (c) => {
    try {
      const rows = (await listContainers(deps.docker, { signal: c.req.raw.signal }))
        .map((row) => toContainerRow(row, deps.selfId, settings().hostEnvironment));
      const network = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/.exec(c.req.query("network") ?? "")?.[0];
      return page(
        c,
        "Containers",
        "/containers",
        <>
          <p>
            <a href="/containers/new" data-new-container>New container…</a> ·{" "}
            <a href="/api/exports" download>Export all as files</a>
          </p>
          <Island
            name="ContainerTable"
            component={ContainerTable}
            props={{
              containers: rows,
              filter: network ? `network:${network}` : "",
            }}
          />
        </>,
      );
    } catch (err) {
      return page(
        c,
        "Containers",
        "/containers",
        <p class="error">Cannot list containers: {(err as Error).message}</p>,
        503,
      );
    }
  });

  app.get("/containers/new", async (c) => {
    try {
      const signal = c.req.raw.signal;
      const [networks, containers, hw] = await Promise.all([
        listNetworks(deps.docker, { signal }),
        listContainers(deps.docker, { signal }),
        deps.hardware.get(),
      ]);
      return page(
        c,
        "New container",
        "/containers",
        <Island
          name="CreateContainer"
          component={CreateContainer}
          props={{
            networks: networks.map((n) => n.name).filter((n) => !["host", "none"].includes(n))
              .sort(),
            profile: hw.profile,
            budget: hw.budget,
            containers: containers.filter((x) => x.labels[HELPER_LABEL] !== "true").length,
          }}
        />,
      );
    } catch (err) {
      return page(
        c,
        "New container",
        "/containers",
        <p class="error">{(err as Error).message}</p>,
        503,
      );
    }
  });

  app.get("/containers/:ref/edit", async (c) => {
    const ref = ContainerRefSchema.safeParse(c.req.param("ref"));
    if (!ref.success) {
      return page(c, "Edit", "/containers", <p class="error">Not a container name</p>, 400);
    }
    try {
      const inspect = await inspectContainer(deps.docker, ref.data, { signal: c.req.raw.signal });
      const d = toContainerDetails(inspect, deps.selfId, settings().hostEnvironment);
      return page(
        c,
        `Edit ${d.name}`,
        "/containers",
        d.isSelf ? <p class="muted">Bosun does not edit its own container.</p> : (
          <Island
            name="EditContainer"
            component={EditContainer}
            props={{
              id: d.id,
              name: d.name,
              env: d.env.map(({ key, value }) => ({ key, value })),
              ports: d.ports,
              restartPolicy: d.restartPolicy,
            }}
          />
        ),
      );
    } catch (err) {
      const problem = toProblem(err);
      return page(c, "Edit", "/containers", <p class="error">{problem.detail}</p>, problem.status);
    }
  });

  app.get("/containers/:ref", async (c) => {
    const ref = ContainerRefSchema.safeParse(c.req.param("ref"));
    if (!ref.success) {
      return page(c, "Container", "/containers", <p class="error">Not a container name</p>, 400);
    }
    try {
      const inspect = await inspectContainer(deps.docker, ref.data, { signal: c.req.raw.signal });
      const details = toContainerDetails(inspect, deps.selfId, settings().hostEnvironment);
      c.set("inlineStyles", details.state === "running"); // the terminal's xterm.js
      const top = details.state === "running"
        ? await topContainer(deps.docker, details.id).catch(() => undefined)
        : undefined;
      return page(
        c,
        details.name,
        "/containers",
        <>
          <Island
            name="ContainerActions"
            component={ContainerActions}
            props={{
              id: details.id,
              name: details.name,
              state: details.state,
              isSelf: details.isSelf,
              environment: details.environment,
              environmentLabel: details.environmentLabel,
              description: details.description,
            }}
          />
          {details.state === "running" && (
            <>
              <h2>Live stats</h2>
              <Island name="LiveStats" component={LiveStats} props={{ id: details.id }} />
              <h2>Terminal</h2>
              <Island
                name="Terminal"
                component={Terminal}
                props={{ id: details.id, name: details.name }}
              />
            </>
          )}
          <h2>Backup</h2>
          <Island
            name="BackupForm"
            component={BackupForm}
            props={{
              id: details.id,
              name: details.name,
              isSelf: details.isSelf,
              mounts: details.mounts,
            }}
          />
          <h2>Logs</h2>
          <Island
            name="LogViewer"
            component={LogViewer}
            props={{ id: details.id, name: details.name }}
          />
          <ContainerDetailsView details={details} top={top} />
        </>,
      );
    } catch (err) {
      const problem = toProblem(err);
      if (problem.status >= 500 && problem.status !== 503) throw err;
      return page(
        c,
        "Container",
        "/containers",
        <p class="error">{problem.detail}</p>,
        problem.status,
      );
    }
  });

  app.get("/events", async (c) => {
    try {
      const events = await listEvents(deps.docker, { signal: c.req.raw.signal });
      const dtos = events.reverse().slice(0, 2000).map(toEventDto);
      return page(
        c,
        "Events",
        "/events",
        <Island name="EventsBoard" component={EventsBoard} props={{ events: dtos }} />,
      );
    } catch (err) {
      return page(c, "Events", "/events", <p class="error">{(err as Error).message}</p>, 503);
    }
  });

  app.get("/volumes", async (c) => {
    try {
      const volumes = await listVolumeViews(deps.docker, { signal: c.req.raw.signal });
      return page(
        c,
        "Volumes",
        "/volumes",
        <Island name="VolumesBoard" component={VolumesBoard} props={{ volumes }} />,
      );
    } catch (err) {
      return page(c, "Volumes", "/volumes", <p class="error">{(err as Error).message}</p>, 503);
    }
  });

  app.get("/health", async (c) => {
    const names = new Set(
      (await listContainers(deps.docker).catch(() => [])).map((x) => x.name),
    );
    return page(
      c,
      "Health",
      "/health",
      <Island
        name="HealthBoard"
        component={HealthBoard}
        props={{
          lastRun: deps.health.lastRun || null,
          containers: latestChecks(deps.db).filter((x) => names.has(x.container)),
        }}
      />,
    );
  });

  app.get("/stacks", async (c) => {
    try {
      const stacks = await listStacks({ docker: deps.docker, dataDir: deps.dataDir });
      const swarm = await swarmOverview(deps.docker).catch(() => null);
      return page(
        c,
        "Stacks",
        "/stacks",
        <Island name="StacksBoard" component={StacksBoard} props={{ stacks, swarm }} />,
      );
    } catch (err) {
      return page(c, "Stacks", "/stacks", <p class="error">{(err as Error).message}</p>, 503);
    }
  });

  app.get("/networks", async (c) => {
    try {
      const signal = c.req.raw.signal;
      const networks = await listNetworkViews(deps.docker, deps.db, { signal });
      const containers = (await listContainers(deps.docker, { signal }))
        .filter((x) => x.labels[HELPER_LABEL] !== "true").map((x) => x.name).sort();
      return page(
        c,
        "Networks",
        "/networks",
        <Island name="NetworksBoard" component={NetworksBoard} props={{ networks, containers }} />,
      );
    } catch (err) {
      return page(c, "Networks", "/networks", <p class="error">{(err as Error).message}</p>, 503);
    }
  });

  app.get("/images", async (c) => {
    try {
      const images = await listImageViews(deps.docker, { signal: c.req.raw.signal });
      return page(
        c,
        "Images",
        "/images",
        <Island name="ImagesBoard" component={ImagesBoard} props={{ images }} />,
      );
    } catch (err) {
      return page(c, "Images", "/images", <p class="error">{(err as Error).message}</p>, 503);
    }
  });

  app.get("/updates", async (c) => {
    try {
      const containers = await listContainers(deps.docker, { signal: c.req.raw.signal });
      const history = await historyViews(deps.docker, deps.db, { limit: 50 });
      return page(
        c,
        "Updates",
        "/updates",
        <Island
          name="UpdatesPanel"
          component={UpdatesPanel}
          props={{
            states: updateStates(deps.db, containers),
            lastCheck: lastCheckAt(deps.db),
            history,
            registries: listCredentials(deps.db).map(({ registry, username }) => ({
              registry,
              username,
            })),
          }}
        />,
      );
    } catch (err) {
      return page(c, "Updates", "/updates", <p class="error">{(err as Error).message}</p>, 503);
    }
  });

  app.get("/audit", (c) =>
    page(
      c,
      "Audit log",
      "/audit",
      <Island name="AuditLog" component={AuditLog} props={{ stats: auditStats(deps.db) }} />,
    ));

  app.get("/schedules", (c) =>
    page(
      c,
      "Schedules",
      "/schedules",
      <Island
        name="SchedulesBoard"
        component={SchedulesBoard}
        props={{
          serverTime: new Date().toISOString(),
          serverTimeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
          schedules: listSchedules(deps.db).map((s) => deps.scheduler.view(s)),
        }}
      />,
    ));

  app.get("/backups", async (c) =>
    page(
      c,
      "Backups",
      "/backups",
      <Island
        name="BackupVault"
        component={BackupVault}
        props={{
          backups: await listVault(deps.vaultDir, deps.db),
          networks: await listNetworkBackups(deps.vaultDir),
        }}
      />,
    ));

  app.get("/stats", (c) =>
    page(
      c,
      "Stats",
      "/stats",
      <Island name="StatsBoard" component={StatsBoard} props={deps.stats.snapshot()} />,
    ));

  app.get("/settings", async (c) => {
    const hw = await deps.hardware.get();
    return page(
      c,
      "Settings",
      "/settings",
      <>
        <section>
          <h2>Server</h2>
          <p class="muted">
            Bosun {deps.version} · Docker engine at <code>{deps.engine.status.host}</code>
          </p>
          <p data-hardware>
            Hardware profile: <strong>{hw.profile}</strong> ({hw.facts.cores} cores,{" "}
            {Math.round(hw.facts.memoryBytes / 2 ** 30)}{" "}
            GiB{hw.facts.piHint ? `, ${hw.facts.piHint}` : ""}) · container budget{" "}
            {hw.budget ?? "unlimited"}; check intervals started from it.
          </p>
          <Island name="SettingsForm" component={SettingsForm} props={settings()} />
        </section>
        <section>
          <h2>Storage</h2>
          <Island
            name="StoragePanel"
            component={StoragePanel}
            props={{ targets: listTargets(deps.db) }}
          />
        </section>
        <section>
          <h2>Notifications</h2>
          <Island
            name="NotificationsPanel"
            component={NotificationsPanel}
            props={{ events: [...NOTIFICATION_EVENTS], channels: listChannels(deps.db) }}
          />
        </section>
        <section>
          <h2>Security</h2>
          <p>
            <a href="/change-password">Change the admin password</a>{" "}
            (signs out every other session and revokes all API tokens).
          </p>
          <Island name="SecurityPanel" component={SecurityPanel} props={{}} />
        </section>
      </>,
    );
  });

  return app;
}
