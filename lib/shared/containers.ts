/** Container shapes shared by the API, the pages and the islands. */
import { z } from "zod";

/** A published or exposed port. */
export const PortSchema = z.object({
  ip: z.string().optional(),
  privatePort: z.number(),
  publicPort: z.number().optional(),
  type: z.string(),
});

/** One container in a list. */
export const ContainerRowSchema = z.object({
  id: z.string(),
  name: z.string(),
  image: z.string(),
  state: z.string(),
  status: z.string(),
  created: z.string(),
  ports: z.array(PortSchema),
  /** True for Bosun's own container. */
  isSelf: z.boolean(),
  /** Names of the networks it is attached to. */
  networks: z.array(z.string()).default([]),
  /** Its environment tag (its label, or the host's): PRD, UAT, DEV, SANDBOX or "". */
  environment: z.string().default(""),
});
/** One container in a list. */
export type ContainerRow = z.infer<typeof ContainerRowSchema>;

/** Props of the containers table island. */
export const ContainerTablePropsSchema = z.object({
  containers: z.array(ContainerRowSchema),
  /** The filter to start with (e.g. `network:web` from the Networks page). */
  filter: z.string().max(200).default(""),
});
/** Props of the containers table island. */
export type ContainerTableProps = z.infer<typeof ContainerTablePropsSchema>;

/** "0.0.0.0:8080->80/tcp" style text of a port, as `docker ps` shows it. */
export function formatPort(p: z.infer<typeof PortSchema>): string {
  const inner = `${p.privatePort}/${p.type}`;
  if (!p.publicPort) return inner;
  const host = p.ip && p.ip.includes(":") ? `[${p.ip}]` : p.ip ?? "0.0.0.0";
  return `${host}:${p.publicPort}->${inner}`;
}

/** Lifecycle actions that take no arguments beyond an optional timeout or signal. */
export const CONTAINER_ACTIONS = ["start", "stop", "restart", "kill", "pause", "unpause"] as const;
/** A lifecycle action. */
export type ContainerAction = (typeof CONTAINER_ACTIONS)[number];

/** Button labels of the actions ("unpause" reads "Resume", as in the peers). */
export const ACTION_LABELS: Record<ContainerAction, string> = {
  start: "Start",
  stop: "Stop",
  restart: "Restart",
  kill: "Kill",
  pause: "Pause",
  unpause: "Resume",
};

/** Container states (as the engine reports them) in which each action makes sense. */
export const ACTION_STATES: Record<ContainerAction, readonly string[]> = {
  start: ["created", "exited", "dead"],
  stop: ["running", "restarting", "paused"],
  restart: ["created", "running", "restarting", "paused", "exited", "dead"],
  kill: ["running", "restarting", "paused"],
  pause: ["running"],
  unpause: ["paused"],
};

/** True when `action` applies to a container in `state` (drives the bulk buttons too). */
export function actionAllowed(action: ContainerAction, state: string): boolean {
  return ACTION_STATES[action].includes(state);
}

/** A container id or name as accepted in paths: checked before anything reaches the engine. */
export const ContainerRefSchema = z.string().regex(
  /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/,
  "a container id or name: letters, digits, '_', '.', '-'",
);

/** A container name as Docker accepts it. */
export const ContainerNameSchema = z.string().regex(
  /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/,
  "letters, digits, '_', '.', '-', starting with a letter or digit",
);

/** One container's outcome in a bulk action. */
export const BulkResultSchema = z.object({
  id: z.string(),
  name: z.string().optional(),
  ok: z.boolean(),
  status: z.number().optional(),
  error: z.string().optional(),
});
/** One container's outcome in a bulk action. */
export type BulkResult = z.infer<typeof BulkResultSchema>;

/** Environment keys whose values are masked unless explicitly revealed. */
export const SECRET_ENV_KEY = /pass|secret|token|key|credential|auth|private|salt|cookie|session/i;

/** A readable view of one container. */
export const ContainerDetailsSchema = z.object({
  id: z.string(),
  name: z.string(),
  image: z.string(),
  imageId: z.string(),
  command: z.string(),
  created: z.string(),
  state: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  exitCode: z.number().nullable(),
  restartCount: z.number(),
  restartPolicy: z.string(),
  health: z.string().nullable(),
  ports: z.array(z.object({ container: z.string(), host: z.string().nullable() })),
  mounts: z.array(z.object({
    type: z.string(),
    name: z.string().nullable(),
    source: z.string(),
    destination: z.string(),
    readOnly: z.boolean(),
  })),
  networks: z.array(z.object({
    name: z.string(),
    ipAddress: z.string(),
    gateway: z.string(),
    macAddress: z.string(),
    aliases: z.array(z.string()),
  })),
  env: z.array(z.object({ key: z.string(), value: z.string(), masked: z.boolean() })),
  labels: z.record(z.string(), z.string()),
  isSelf: z.boolean(),
  /** Its environment tag (its label, or the host's), and whether the label sets it. */
  environment: z.string().default(""),
  environmentLabel: z.string().nullable().default(null),
  description: z.string().default(""),
});
/** A readable view of one container. */
export type ContainerDetails = z.infer<typeof ContainerDetailsSchema>;
