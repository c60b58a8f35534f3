/** Delivery to each kind of channel: SMTP (nodemailer), webhook JSON, ntfy, Gotify, Discord, Slack. */
import type { Channel } from "./channels.ts";
import { fetchNoRedirect } from "./url_guard.ts";

/** What is sent. */
export interface Notification {
  type: string;
  title: string;
  message: string;
  server: string;
  time: string;
  details?: Record<string, unknown>;
}

async function ok(res: Response, what: string): Promise<void> {
  const text = await res.text().catch(() => "");
  if (!res.ok) throw new Error(`${what} answered ${res.status}: ${text.slice(0, 200)}`);
}

/** Sends one notification over one channel; throws with the reason when it fails. */
export async function send(channel: Channel, n: Notification): Promise<void> {
  const c = channel.config;
  const json = (body: unknown, headers: Record<string, string> = {}) => ({
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  switch (c.kind) {
    case "webhook":
      return ok(
        await fetchNoRedirect(
          c.url,
          json(n, channel.secret ? { Authorization: `Bearer ${channel.secret}` } : {}),
        ),
        "The webhook",
      );
    case "ntfy":
      return ok(
        await fetchNoRedirect(c.url, {
          method: "POST",
          headers: {
            Title: n.title.replace(/[^\x20-\x7e]/g, "?"),
            Tags: n.type,
            ...(channel.secret ? { Authorization: `Bearer ${channel.secret}` } : {}),
          },
          body: n.message,
        }),
        "ntfy",
      );
    case "gotify":
      return ok(
        await fetchNoRedirect(
          `${c.url.replace(/\/+$/, "")}/message`,
          json({ title: n.title, message: n.message, priority: 5 }, {
            "X-Gotify-Key": channel.secret ?? "",
          }),
        ),
        "Gotify",
      );
    case "discord":
      return ok(
        await fetchNoRedirect(channel.secret!, json({ content: `**${n.title}**\n${n.message}` })),
        "Discord",
      );
    case "slack":
      return ok(
        await fetchNoRedirect(channel.secret!, json({ text: `*${n.title}*\n${n.message}` })),
        "Slack",
      );
    case "smtp": {
      // Loaded on first use: nodemailer is large and most installations never send mail.
      const { default: nodemailer } = await import("nodemailer");
      const transport = nodemailer.createTransport({
        host: c.host,
        port: c.port,
        secure: c.security === "tls",
        requireTLS: c.security === "starttls",
        ignoreTLS: c.security === "none",
        auth: c.username ? { user: c.username, pass: channel.secret ?? "" } : undefined,
        connectionTimeout: 15_000,
        greetingTimeout: 15_000,
        socketTimeout: 30_000,
      });
      try {
        await transport.sendMail({
          from: c.from,
          to: c.to.join(", "),
          subject: `[Bosun ${n.server}] ${n.title}`,
          text: `${n.message}\n\n${n.type} · ${n.time}`,
        });
      } finally {
        transport.close();
      }
    }
  }
}
