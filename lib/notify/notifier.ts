/**
 * Delivers notification events to every enabled channel that subscribed to them. Delivery
 * happens in the background; a failure is logged and recorded on the channel, never thrown
 * into the backup or schedule run that raised the event.
 */
import type { DatabaseSync } from "node:sqlite";
import type { Logger } from "../log/logger.ts";
import type { SecretBox } from "../secrets/secret_box.ts";
import type { NotificationEventType } from "../shared/notifications.ts";
import { listChannels, openChannel, recordDelivery } from "./channels.ts";
import { type Notification, send } from "./senders.ts";

/** An event as raised by a feature. */
export interface NotificationEvent {
  type: NotificationEventType;
  title: string;
  message: string;
  details?: Record<string, unknown>;
}

/** The notifier. Construct once. */
export class Notifier {
  #pending = new Set<Promise<unknown>>();

  constructor(
    private readonly db: DatabaseSync,
    private readonly box: SecretBox,
    private readonly log: Logger,
    private readonly serverName: () => string,
  ) {}

  /** Queues delivery of an event to the channels that want it. */
  notify(event: NotificationEvent): void {
    for (const c of listChannels(this.db)) {
      if (!c.enabled || !c.events.includes(event.type)) continue;
      const p: Promise<unknown> = this.#deliver(c.id, event).finally(() => this.#pending.delete(p));
      this.#pending.add(p);
    }
  }

  /** Sends a test message over one channel; resolves with the error, or null when it went out. */
  async test(id: number): Promise<string | null> {
    return await this.#deliver(id, {
      type: "schedule.summary",
      title: "Test notification",
      message: "If you can read this, Bosun can reach you here.",
    }, true);
  }

  /** Resolves once every delivery started so far has finished (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.#pending.size) await Promise.allSettled([...this.#pending]);
  }

  async #deliver(id: number, event: NotificationEvent, isTest = false): Promise<string | null> {
    const n: Notification = {
      ...event,
      server: this.serverName(),
      time: new Date().toISOString(),
      ...(isTest ? { type: "test" } : {}),
    };
    try {
      await send(await openChannel(this.db, this.box, id), n);
      recordDelivery(this.db, id, null);
      return null;
    } catch (err) {
      const message = (err as Error).message.slice(0, 300);
      recordDelivery(this.db, id, message);
      this.log.warn("notification not delivered", {
        channel: id,
        event: event.type,
        error: message,
      });
      return message;
    }
  }
}
