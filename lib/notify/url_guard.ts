/**
 * Outbound URLs the user configures (webhooks, ntfy, Gotify, S3): `http(s)` only, and never
 * the cloud metadata addresses (169.254.0.0/16 and fd00:ec2::254), also when a host name
 * resolves to one. LAN addresses stay allowed: home-lab servers live there.
 */
import { isIP } from "node:net";
import { ValidationError } from "../errors.ts";

function isMetadata(ip: string): boolean {
  if (isIP(ip) === 4) return ip.startsWith("169.254.");
  const v6 = ip.toLowerCase().replace(/^\[|\]$/g, "");
  return v6 === "fd00:ec2::254" || /^fe80:/.test(v6) || /^::ffff:169\.254\./.test(v6);
}

/** Throws a ValidationError unless `url` may be called. */
export async function assertOutboundUrl(url: string): Promise<URL> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ValidationError("Not a URL");
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") {
    throw new ValidationError(`Only http(s) URLs are allowed, not ${u.protocol}`);
  }
  const host = u.hostname.replace(/^\[|\]$/g, "");
  const addresses = isIP(host) ? [host] : await resolve(host);
  if (addresses.some(isMetadata)) {
    throw new ValidationError(`${u.hostname} is a link-local (cloud metadata) address`);
  }
  return u;
}

async function resolve(host: string): Promise<string[]> {
  const out: string[] = [];
  for (const type of ["A", "AAAA"] as const) {
    try {
      out.push(...await Deno.resolveDns(host, type));
    } catch { /* no such record; the request itself reports an unknown host */ }
  }
  return out;
}

/** `fetch` that never follows redirects (a redirect to another host is a failure). */
export async function fetchNoRedirect(url: string, init: RequestInit): Promise<Response> {
  await assertOutboundUrl(url);
  const res = await fetch(url, {
    ...init,
    redirect: "manual",
    signal: init.signal ?? AbortSignal.timeout(15_000),
  });
  if (res.status >= 300 && res.status < 400) {
    await res.body?.cancel();
    throw new Error(`${new URL(url).host} answered with a redirect (${res.status}); not followed`);
  }
  return res;
}
