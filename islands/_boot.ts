/**
 * Hydrates every island on the page: a `[data-island]` element names the component and
 * points at a JSON props script, validated against the island's schema before hydration.
 */
import "@xterm/xterm/css/xterm.css";
import { h, hydrate } from "preact";
import type { ComponentType } from "preact";
import { z } from "zod";
import { ContainerTablePropsSchema } from "../lib/shared/containers.ts";
import { api } from "./_api.ts";
import AuthForm, { AuthFormPropsSchema } from "./AuthForm.tsx";
import ContainerActions, { ContainerActionsPropsSchema } from "./ContainerActions.tsx";
import ContainerTable from "./ContainerTable.tsx";
import EventsBoard, { EventsBoardPropsSchema } from "./EventsBoard.tsx";
import HostMeter from "./HostMeter.tsx";
import LogViewer, { LogViewerPropsSchema } from "./LogViewer.tsx";
import SecurityPanel from "./SecurityPanel.tsx";
import SettingsForm from "./SettingsForm.tsx";
import StatsBoard from "./StatsBoard.tsx";
import Terminal, { TerminalPropsSchema } from "./Terminal.tsx";
import { StatsSnapshotSchema } from "../lib/shared/stats.ts";
import { SettingsSchema } from "../lib/shared/settings.ts";

// deno-lint-ignore no-explicit-any
const ISLANDS: Record<string, { component: ComponentType<any>; props: z.ZodType }> = {
  AuthForm: { component: AuthForm, props: AuthFormPropsSchema },
  ContainerActions: { component: ContainerActions, props: ContainerActionsPropsSchema },
  ContainerTable: { component: ContainerTable, props: ContainerTablePropsSchema },
  EventsBoard: { component: EventsBoard, props: EventsBoardPropsSchema },
  HostMeter: { component: HostMeter, props: z.object({}) },
  LogViewer: { component: LogViewer, props: LogViewerPropsSchema },
  SecurityPanel: { component: SecurityPanel, props: z.object({}) },
  SettingsForm: { component: SettingsForm, props: SettingsSchema },
  StatsBoard: { component: StatsBoard, props: StatsSnapshotSchema },
  Terminal: { component: Terminal, props: TerminalPropsSchema },
};

for (const el of document.querySelectorAll<HTMLElement>("[data-island]")) {
  const island = ISLANDS[el.dataset.island ?? ""];
  const script = document.getElementById(el.dataset.props ?? "");
  if (!island || !script) continue;
  const props = island.props.safeParse(JSON.parse(script.textContent ?? "{}"));
  if (!props.success) {
    console.error(`Island ${el.dataset.island}: bad props`, props.error);
    continue;
  }
  hydrate(h(island.component, props.data as object), el);
}

for (const button of document.querySelectorAll<HTMLButtonElement>("[data-logout]")) {
  button.addEventListener("click", async (e) => {
    e.preventDefault();
    await api("POST", "/api/auth/logout").catch(() => undefined);
    location.assign("/login");
  });
}
