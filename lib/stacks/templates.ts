/**
 * A gallery of common home-lab services as compose templates. `${VARS}` are placeholders
 * the form fills in (ports, folders under the storage root, time zone); they land in the
 * stack's `.env`, so the compose file stays readable and editable.
 */

/** A placeholder a template asks for. */
export interface TemplateVariable {
  name: string;
  label: string;
  /** `{root}` and `{stack}` are replaced by the storage root and the stack's name. */
  default: string;
}

/** One template. */
export interface StackTemplate {
  id: string;
  name: string;
  description: string;
  compose: string;
  variables: TemplateVariable[];
}

const TZ = { name: "TZ", label: "Time zone", default: "Etc/UTC" };
const data = (label = "Data folder"): TemplateVariable => ({
  name: "DATA_DIR",
  label,
  default: "{root}/{stack}",
});
const port = (def: string, label = "Host port"): TemplateVariable => ({
  name: "PORT",
  label,
  default: def,
});

function simple(
  id: string,
  name: string,
  description: string,
  image: string,
  containerPort: number,
  hostPort: string,
  mounts: string[],
  env: string[] = [],
): StackTemplate {
  return {
    id,
    name,
    description,
    variables: [port(hostPort), data(), TZ],
    compose: [
      "services:",
      `  ${id}:`,
      `    image: ${image}`,
      "    restart: unless-stopped",
      `    ports: ["\${PORT}:${containerPort}"]`,
      "    environment:",
      "      TZ: ${TZ}",
      ...env.map((e) => `      ${e}`),
      "    volumes:",
      ...mounts.map((m) => `      - ${m}`),
      "    mem_limit: 512m",
      "    security_opt: [no-new-privileges]",
      "",
    ].join("\n"),
  };
}

/** The gallery. */
export const TEMPLATES: StackTemplate[] = [
  simple("nginx", "Nginx", "A web server for static sites.", "nginx:1.27-alpine", 80, "8080", [
    "${DATA_DIR}/html:/usr/share/nginx/html:ro",
  ]),
  simple(
    "uptime-kuma",
    "Uptime Kuma",
    "Uptime monitoring with a status page.",
    "louislam/uptime-kuma:1",
    3001,
    "3001",
    ["${DATA_DIR}:/app/data"],
  ),
  simple(
    "homepage",
    "Homepage",
    "A dashboard for your services.",
    "ghcr.io/gethomepage/homepage:latest",
    3000,
    "3000",
    ["${DATA_DIR}:/app/config"],
  ),
  simple("jellyfin", "Jellyfin", "A media server.", "jellyfin/jellyfin:latest", 8096, "8096", [
    "${DATA_DIR}/config:/config",
    "${DATA_DIR}/cache:/cache",
    "${MEDIA_DIR}:/media:ro",
  ]),
  simple(
    "vaultwarden",
    "Vaultwarden",
    "A password manager server (Bitwarden compatible).",
    "vaultwarden/server:latest",
    80,
    "8081",
    ["${DATA_DIR}:/data"],
  ),
  simple(
    "nextcloud",
    "Nextcloud",
    "Files, calendar and contacts.",
    "nextcloud:apache",
    80,
    "8082",
    ["${DATA_DIR}:/var/www/html"],
  ),
  simple("gitea", "Gitea", "A self-hosted Git service.", "gitea/gitea:1", 3000, "3002", [
    "${DATA_DIR}:/data",
  ], ['USER_UID: "1000"', 'USER_GID: "1000"']),
  simple(
    "grafana",
    "Grafana",
    "Dashboards for your metrics.",
    "grafana/grafana:latest",
    3000,
    "3003",
    ["${DATA_DIR}:/var/lib/grafana"],
  ),
  simple(
    "node-red",
    "Node-RED",
    "Flow-based automation.",
    "nodered/node-red:latest",
    1880,
    "1880",
    ["${DATA_DIR}:/data"],
  ),
  simple(
    "home-assistant",
    "Home Assistant",
    "Home automation.",
    "ghcr.io/home-assistant/home-assistant:stable",
    8123,
    "8123",
    ["${DATA_DIR}:/config"],
  ),
  simple(
    "adguard",
    "AdGuard Home",
    "Network-wide ad blocking (DNS).",
    "adguard/adguardhome:latest",
    3000,
    "3004",
    ["${DATA_DIR}/work:/opt/adguardhome/work", "${DATA_DIR}/conf:/opt/adguardhome/conf"],
  ),
  {
    id: "postgres",
    name: "PostgreSQL",
    description: "A database, with a healthcheck other services can wait for.",
    variables: [port("5432"), data(), TZ, {
      name: "POSTGRES_PASSWORD",
      label: "Password",
      default: "",
    }],
    compose: [
      "services:",
      "  postgres:",
      "    image: postgres:16-alpine",
      "    restart: unless-stopped",
      '    ports: ["127.0.0.1:${PORT}:5432"]',
      "    environment:",
      "      TZ: ${TZ}",
      "      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}",
      "    volumes:",
      "      - ${DATA_DIR}:/var/lib/postgresql/data",
      "    healthcheck:",
      '      test: ["CMD-SHELL", "pg_isready -U postgres"]',
      "      interval: 10s",
      "      retries: 5",
      "    mem_limit: 512m",
      "",
    ].join("\n"),
  },
];
// Jellyfin asks for its media folder too.
TEMPLATES.find((t) => t.id === "jellyfin")!.variables.push({
  name: "MEDIA_DIR",
  label: "Media folder",
  default: "{root}/media",
});

/** A template's `.env` for a stack: the defaults, with the given values over them. */
export function templateEnv(
  t: StackTemplate,
  values: Record<string, string>,
  context: { root: string; stack: string },
): string {
  return t.variables.map((v) => {
    const value = values[v.name] ??
      v.default.replaceAll("{root}", context.root).replaceAll("{stack}", context.stack);
    return `${v.name}=${/[\s#"'$]/.test(value) ? JSON.stringify(value) : value}`;
  }).join("\n") + "\n";
}
