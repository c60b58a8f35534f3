/** The page frame: top bar (server name, engine banner, sign-out) and navigation. */
import type { ComponentChildren } from "preact";
import type { EngineStatus } from "../../lib/docker/monitor.ts";
import HostMeter from "../../islands/HostMeter.tsx";
import CliToast from "../../islands/CliToast.tsx";
import { Island } from "./_island.tsx";

/** Navigation entries, in order. */
export const NAV = [
  { href: "/", label: "Dashboard" },
  { href: "/containers", label: "Containers" },
  { href: "/stats", label: "Stats" },
  { href: "/health", label: "Health" },
  { href: "/backups", label: "Backups" },
  { href: "/schedules", label: "Schedules" },
  { href: "/images", label: "Images" },
  { href: "/updates", label: "Updates" },
  { href: "/volumes", label: "Volumes" },
  { href: "/networks", label: "Networks" },
  { href: "/stacks", label: "Stacks" },
  { href: "/events", label: "Events" },
  { href: "/audit", label: "Audit" },
  { href: "/settings", label: "Settings" },
];

/** Props of Layout. */
export interface LayoutProps {
  title: string;
  active?: string;
  serverName?: string;
  engine?: EngineStatus;
  csrfToken?: string;
  /** Containers with an image update available. */
  updatesAvailable?: number;
  assetVersion: string;
  children: ComponentChildren;
}

/** A full HTML document; pages without `serverName` (login, setup) get no navigation. */
export function Layout(p: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="dark light" />
        {p.csrfToken && <meta name="csrf-token" content={p.csrfToken} />}
        <title>{`${p.title} — Bosun`}</title>
        <link rel="stylesheet" href={`/static/style.css?v=${p.assetVersion}`} />
        <link rel="stylesheet" href={`/static/islands/_boot.css?v=${p.assetVersion}`} />
        <link rel="icon" href="/static/icon.svg" type="image/svg+xml" />
        <script type="module" src={`/static/islands/_boot.js?v=${p.assetVersion}`} defer />
      </head>
      <body>
        <header class="topbar">
          <a class="brand" href="/">⚓ Bosun</a>
          {p.serverName && <span class="server" title="Server name">{p.serverName}</span>}
          {p.serverName && <Island name="HostMeter" component={HostMeter} props={{}} />}
          {p.serverName && (p.updatesAvailable ?? 0) > 0 && (
            <a class="updates-count" href="/updates" data-updates-available={p.updatesAvailable}>
              {p.updatesAvailable} update{p.updatesAvailable === 1 ? "" : "s"} available
            </a>
          )}
          {p.serverName && <button type="button" class="link" data-logout>Sign out</button>}
        </header>
        {p.engine && !p.engine.reachable && (
          <div class="banner" role="alert" data-engine-banner>
            Docker engine unreachable at {p.engine.host}
            {p.engine.error ? ` (${p.engine.error})` : ""}. Bosun keeps trying to reconnect.
          </div>
        )}
        <div class="frame">
          {p.serverName && (
            <nav class="nav" aria-label="Main">
              {NAV.map((n) => (
                <a href={n.href} aria-current={p.active === n.href ? "page" : undefined}>
                  {n.label}
                </a>
              ))}
            </nav>
          )}
          <main>
            <h1>{p.title}</h1>
            {p.children}
            {p.serverName && <Island name="CliToast" component={CliToast} props={{}} />}
          </main>
        </div>
      </body>
    </html>
  );
}
