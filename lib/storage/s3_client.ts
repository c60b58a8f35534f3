/**
 * A small S3 client (AWS Signature V4 over `lib/http/raw.ts`, which sends a part straight from
 * its buffer where `fetch` would copy it) with just the calls Bosun uses: put, get (streamed),
 * head, delete, list, and multipart upload with per-part Content-MD5.
 *
 * Why not `@aws-sdk/client-s3`: measured under Bosun's Deno permissions it reads
 * `AWS_LAMBDA_*`, `HOME` and `~/.aws/*` at load and on every client, even with explicit
 * credentials and region — the sandbox would have to grant the environment and the home
 * directory. This client reads nothing but its arguments.
 */
import { createHash, createHmac } from "node:crypto";
import { RawConnectionError, rawRequest } from "../http/raw.ts";
import { assertOutboundUrl } from "../notify/url_guard.ts";

/** Where and how to reach a bucket. */
export interface S3Config {
  endpoint: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Path-style URLs (`endpoint/bucket/key`), as MinIO, Garage and s3rver want. */
  pathStyle: boolean;
}

/** An S3 error with the service's code and message. */
export class S3Error extends Error {
  override name = "S3Error";
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

const hex = (data: string | Uint8Array) => createHash("sha256").update(data).digest("hex");
const hmac = (key: string | Uint8Array, data: string) =>
  new Uint8Array(createHmac("sha256", key).update(data).digest());

/** RFC 3986 encoding as SigV4 wants it (slashes kept in paths). */
function encode(text: string, keepSlash = false): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  ).replace(keepSlash ? /%2F/g : /$^/, "/");
}

function xmlValues(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, "g"))].map((m) =>
    m[1].replace(/&quot;/g, '"').replace(/&amp;/g, "&").replace(/&lt;/g, "<").replace(
      /&gt;/g,
      ">",
    ).replace(/&apos;/g, "'")
  );
}

/** The S3 client of one bucket. */
export class S3Client {
  constructor(private readonly config: S3Config) {}

  #url(key: string, query: Record<string, string> = {}): URL {
    const base = new URL(this.config.endpoint);
    const path = this.config.pathStyle
      ? `/${this.config.bucket}/${encode(key, true)}`
      : `/${encode(key, true)}`;
    const url = this.config.pathStyle
      ? new URL(base.origin + base.pathname.replace(/\/$/, "") + path)
      : new URL(`${base.protocol}//${this.config.bucket}.${base.host}${path}`);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    return url;
  }

  /** Signs and sends one request; throws S3Error for an error answer. */
  async request(
    method: string,
    key: string,
    options: {
      query?: Record<string, string>;
      headers?: Record<string, string>;
      body?: Uint8Array | string;
      /** The body's SHA-256 (hex) when it is small and known; else UNSIGNED-PAYLOAD. */
      payloadHash?: string;
      signal?: AbortSignal;
    } = {},
  ): Promise<Response> {
    const url = this.#url(key, options.query);
    const now = new Date();
    const amzDate = now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
    const day = amzDate.slice(0, 8);
    const payloadHash = options.payloadHash ?? "UNSIGNED-PAYLOAD";
    const headers: Record<string, string> = {
      host: url.host,
      "x-amz-content-sha256": payloadHash,
      "x-amz-date": amzDate,
      ...Object.fromEntries(
        Object.entries(options.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
      ),
    };
    const names = Object.keys(headers).sort();
    const canonicalQuery = [...url.searchParams.entries()]
      .map(([k, v]) => [encode(k), encode(v)])
      .sort(([a, x], [b, y]) => a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0)
      .map(([k, v]) => `${k}=${v}`).join("&");
    const canonical = [
      method,
      url.pathname,
      canonicalQuery,
      names.map((n) => `${n}:${headers[n].trim()}\n`).join(""),
      names.join(";"),
      payloadHash,
    ].join("\n");
    const scope = `${day}/${this.config.region}/s3/aws4_request`;
    const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, hex(canonical)].join("\n");
    let k = hmac(`AWS4${this.config.secretAccessKey}`, day);
    k = hmac(k, this.config.region);
    k = hmac(k, "s3");
    k = hmac(k, "aws4_request");
    const signature = createHmac("sha256", k).update(toSign).digest("hex");
    const { host: _host, ...sent } = headers;
    sent.authorization = `AWS4-HMAC-SHA256 Credential=${this.config.accessKeyId}/${scope}, ` +
      `SignedHeaders=${names.join(";")}, Signature=${signature}`;
    await assertOutboundUrl(url.toString());
    const body = typeof options.body === "string"
      ? new TextEncoder().encode(options.body)
      : options.body;
    let raw;
    try {
      // Two minutes without progress fails the call; a long download goes on while data comes.
      raw = await rawRequest(method, url, sent, body, {
        signal: options.signal,
        timeoutMs: 120_000,
      });
    } catch (err) {
      if (!(err instanceof RawConnectionError)) throw err;
      throw new Error(`S3 ${method} ${key || "/"}: ${url.host} did not answer (${err.message})`, {
        cause: err,
      });
    }
    if (raw.status >= 300 && raw.status < 400) {
      await raw.body.cancel();
      throw new Error(`${url.host} answered with a redirect (${raw.status}); not followed`);
    }
    // A HEAD answer and these statuses have no body; a Response refuses one for them.
    const empty = method === "HEAD" || [204, 205, 304].includes(raw.status);
    if (empty) await raw.body.cancel();
    const res = new Response(empty ? null : raw.body, {
      status: raw.status,
      headers: raw.headers,
    });
    if (!res.ok) {
      const text = await res.text().catch(() => "");
      const code = xmlValues(text, "Code")[0] ?? `HTTP ${res.status}`;
      const message = xmlValues(text, "Message")[0] ?? res.statusText;
      throw new S3Error(res.status, code, `S3 ${method} ${key || "/"}: ${code}: ${message}`);
    }
    return res;
  }

  /** Stores a small object. */
  async put(key: string, body: Uint8Array | string, contentType = "application/octet-stream") {
    const data = typeof body === "string" ? new TextEncoder().encode(body) : body;
    const res = await this.request("PUT", key, {
      body: data,
      payloadHash: hex(data),
      headers: {
        "content-type": contentType,
        "content-md5": createHash("md5").update(data).digest("base64"),
      },
    });
    await res.body?.cancel();
  }

  /** Reads an object as a stream (optionally a byte range). */
  async get(key: string, range?: string): Promise<Response> {
    return await this.request("GET", key, { headers: range ? { range } : {} });
  }

  /** Size and ETag of an object, or undefined when there is none. */
  async head(key: string): Promise<{ size: number; etag: string } | undefined> {
    try {
      const res = await this.request("HEAD", key);
      return {
        size: Number(res.headers.get("content-length") ?? 0),
        etag: (res.headers.get("etag") ?? "").replace(/"/g, ""),
      };
    } catch (err) {
      if (err instanceof S3Error && err.status === 404) return undefined;
      throw err;
    }
  }

  /** Deletes an object. */
  async delete(key: string): Promise<void> {
    const res = await this.request("DELETE", key);
    await res.body?.cancel();
  }

  /** Every key under a prefix, with sizes. */
  async list(prefix: string): Promise<{ key: string; size: number }[]> {
    const out: { key: string; size: number }[] = [];
    let token: string | undefined;
    do {
      const res = await this.request("GET", "", {
        query: {
          "list-type": "2",
          prefix,
          ...(token ? { "continuation-token": token } : {}),
        },
      });
      const xml = await res.text();
      const keys = xmlValues(xml, "Key");
      const sizes = xmlValues(xml, "Size");
      keys.forEach((key, i) => out.push({ key, size: Number(sizes[i] ?? 0) }));
      token = xmlValues(xml, "IsTruncated")[0] === "true"
        ? xmlValues(xml, "NextContinuationToken")[0]
        : undefined;
    } while (token);
    return out;
  }

  /** Starts a multipart upload; resolves with its id. */
  async createMultipart(key: string, contentType: string): Promise<string> {
    const res = await this.request("POST", key, {
      query: { uploads: "" },
      headers: { "content-type": contentType },
    });
    const id = xmlValues(await res.text(), "UploadId")[0];
    if (!id) throw new S3Error(500, "NoUploadId", "S3 did not return an upload id");
    return id;
  }

  /** Uploads one part with its Content-MD5; resolves with the ETag the server computed. */
  async uploadPart(key: string, uploadId: string, part: number, data: Uint8Array, md5: Uint8Array) {
    const res = await this.request("PUT", key, {
      query: { partNumber: String(part), uploadId },
      body: data,
      headers: { "content-md5": btoa(String.fromCharCode(...md5)) },
    });
    await res.body?.cancel();
    return (res.headers.get("etag") ?? "").replace(/"/g, "");
  }

  /** Completes a multipart upload; resolves with the final ETag. */
  async completeMultipart(key: string, uploadId: string, etags: string[]): Promise<string> {
    const body = "<CompleteMultipartUpload>" +
      etags.map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>"${e}"</ETag></Part>`)
        .join("") +
      "</CompleteMultipartUpload>";
    const res = await this.request("POST", key, {
      query: { uploadId },
      body,
      payloadHash: hex(body),
      headers: { "content-type": "application/xml" },
    });
    const xml = await res.text();
    if (/<Error>/.test(xml)) { // S3 may answer 200 and fail in the body
      throw new S3Error(
        500,
        xmlValues(xml, "Code")[0] ?? "Error",
        xmlValues(xml, "Message")[0] ?? xml,
      );
    }
    return (xmlValues(xml, "ETag")[0] ?? "").replace(/"/g, "");
  }

  /** Aborts a multipart upload so no parts are left behind. */
  async abortMultipart(key: string, uploadId: string): Promise<void> {
    const res = await this.request("DELETE", key, { query: { uploadId } });
    await res.body?.cancel();
  }
}
