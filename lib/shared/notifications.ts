/** Notification channel schemas shared by the server and the Notifications settings. */
import { z } from "zod";

/** Events Bosun notifies about; other features add theirs here. */
export const NOTIFICATION_EVENTS = [
  "backup.failed",
  "schedule.summary",
  "retention.deleted",
  "verify.failed",
  "storage.unreachable",
  "update.available",
  "update.applied",
  "update.rolled_back",
  "update.failed",
  "health.unhealthy",
  "health.stopped",
] as const;
/** One notification event type. */
export type NotificationEventType = (typeof NOTIFICATION_EVENTS)[number];

const HttpUrl = z.url({ protocol: /^https?$/, message: "an http(s) URL" }).max(2048);

/** Non-secret settings per channel kind. */
export const ChannelConfigSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("smtp"),
    host: z.string().min(1).max(255),
    port: z.number().int().min(1).max(65535),
    security: z.enum(["starttls", "tls", "none"]),
    username: z.string().max(255).optional(),
    from: z.email(),
    to: z.array(z.email()).min(1).max(20),
  }).strict(),
  z.object({ kind: z.literal("webhook"), url: HttpUrl }).strict(),
  z.object({ kind: z.literal("ntfy"), url: HttpUrl.describe("server and topic") }).strict(),
  z.object({ kind: z.literal("gotify"), url: HttpUrl.describe("the Gotify server") }).strict(),
  z.object({ kind: z.literal("discord") }).strict(),
  z.object({ kind: z.literal("slack") }).strict(),
]);

/** A channel as saved: the secret (password, token or webhook URL) is write-only. */
export const ChannelInputSchema = z.object({
  name: z.string().trim().min(1).max(64),
  config: ChannelConfigSchema,
  /** Password, token or secret webhook URL; empty or absent keeps the stored one. */
  secret: z.string().max(2048).optional(),
  events: z.array(z.enum(NOTIFICATION_EVENTS)).min(1),
  enabled: z.boolean().default(true),
}).strict();
/** A channel as saved. */
export type ChannelInput = z.infer<typeof ChannelInputSchema>;
/** Non-secret settings of a channel. */
export type ChannelConfig = z.infer<typeof ChannelConfigSchema>;
