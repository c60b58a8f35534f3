/**
 * Hydrates every island on the page: a `[data-island]` element names the component and
 * points at a JSON props script. Each island is its own chunk, loaded only where it is
 * used, and validates its props with the schema it exports before hydration.
 */
import "@xterm/xterm/css/xterm.css";
import { h, hydrate } from "preact";
import type { ComponentType } from "preact";
import { api } from "./_api.ts";

interface IslandModule {
  // deno-lint-ignore no-explicit-any
  default: ComponentType<any>;
  propsSchema?: {
    safeParse(value: unknown): { success: boolean; data?: unknown; error?: unknown };
  };
}

const ISLANDS: Record<string, () => Promise<IslandModule>> = {
  AuditLog: () => import("./AuditLog.tsx"),
  AuthForm: () => import("./AuthForm.tsx"),
  BackupForm: () => import("./BackupForm.tsx"),
  BackupVault: () => import("./BackupVault.tsx"),
  ContainerActions: () => import("./ContainerActions.tsx"),
  ContainerTable: () => import("./ContainerTable.tsx"),
  EventsBoard: () => import("./EventsBoard.tsx"),
  HostMeter: () => import("./HostMeter.tsx"),
  LiveStats: () => import("./LiveStats.tsx"),
  LogViewer: () => import("./LogViewer.tsx"),
  SecurityPanel: () => import("./SecurityPanel.tsx"),
  NotificationsPanel: () => import("./NotificationsPanel.tsx"),
  SchedulesBoard: () => import("./SchedulesBoard.tsx"),
  SettingsForm: () => import("./SettingsForm.tsx"),
  StatsBoard: () => import("./StatsBoard.tsx"),
  StoragePanel: () => import("./StoragePanel.tsx"),
  Terminal: () => import("./Terminal.tsx"),
  VolumesBoard: () => import("./VolumesBoard.tsx"),
  ImagesBoard: () => import("./ImagesBoard.tsx"),
  UpdatesPanel: () => import("./UpdatesPanel.tsx"),
  NetworksBoard: () => import("./NetworksBoard.tsx"),
  StacksBoard: () => import("./StacksBoard.tsx"),
  HealthBoard: () => import("./HealthBoard.tsx"),
  CreateContainer: () => import("./CreateContainer.tsx"),
  CliToast: () => import("./CliToast.tsx"),
  EditContainer: () => import("./EditContainer.tsx"),
};

/**
 * Loads an island's chunk. A request aborted in flight fails the import: Chromium aborts every
 * request when the host's addresses change, which Docker does on each container start when
 * the browser runs on the Docker host itself. The browser keeps that failure for the URL, so
 * the retries ask for the same chunk (`<Name>.js`, a stable name) under a new query.
 */
async function loadIsland(name: string, load: () => Promise<IslandModule>): Promise<IslandModule> {
  try {
    return await load();
  } catch (err) {
    for (const delay of [250, 1_000]) {
      await new Promise((resolve) => setTimeout(resolve, delay));
      try {
        return await import(new URL(`./${name}.js?retry=${delay}`, import.meta.url).href);
      } catch {
        // the next attempt, or the notice below
      }
    }
    throw err;
  }
}

/** Says in place of a dead island that this part of the page did not load, with a reload. */
function showLoadFailure(el: HTMLElement): void {
  const notice = document.createElement("p");
  notice.setAttribute("role", "alert");
  notice.dataset.islandFailed = "";
  notice.textContent = "This part of the page did not load (the connection was interrupted). ";
  const reload = document.createElement("button");
  reload.type = "button";
  reload.textContent = "Reload";
  reload.addEventListener("click", () => location.reload());
  notice.append(reload);
  el.prepend(notice);
}

async function hydrateIsland(el: HTMLElement): Promise<void> {
  const name = el.dataset.island ?? "";
  const load = ISLANDS[name];
  const script = document.getElementById(el.dataset.props ?? "");
  if (!load || !script) return;
  let island: IslandModule;
  try {
    island = await loadIsland(name, load);
  } catch (err) {
    console.error(`Island ${name}: could not load`, err);
    showLoadFailure(el);
    return;
  }
  let props: unknown = JSON.parse(script.textContent ?? "{}");
  if (island.propsSchema) {
    const checked = island.propsSchema.safeParse(props);
    if (!checked.success) {
      console.error(`Island ${el.dataset.island}: bad props`, checked.error);
      return;
    }
    props = checked.data;
  }
  hydrate(h(island.default, props as object), el);
  el.dataset.hydrated = "true";
}

for (const el of document.querySelectorAll<HTMLElement>("[data-island]")) {
  void hydrateIsland(el);
}

for (const button of document.querySelectorAll<HTMLButtonElement>("[data-logout]")) {
  button.addEventListener("click", async (e) => {
    e.preventDefault();
    await api("POST", "/api/auth/logout").catch(() => undefined);
    location.assign("/login");
  });
}
