/**
 * Storage targets: S3-compatible buckets (the local vault is always there). The secret access
 * key is sealed with the secrets box; the API shows only that one is stored.
 */
import type { DatabaseSync } from "node:sqlite";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import type { SecretBox } from "../secrets/secret_box.ts";
import { assertOutboundUrl } from "../notify/url_guard.ts";
import type { S3TargetInput, TargetView } from "../shared/storage.ts";
import { S3Client, type S3Config } from "./s3_client.ts";

interface Row {
  id: number;
  name: string;
  config: string;
  secret: string;
}

function toView(r: Row): TargetView {
  return { id: r.id, name: r.name, ...JSON.parse(r.config), hasSecret: true };
}

/** Every target. */
export function listTargets(db: DatabaseSync): TargetView[] {
  return (db.prepare("SELECT * FROM storage_targets ORDER BY name").all() as unknown as Row[])
    .map(toView);
}

function row(db: DatabaseSync, id: number): Row {
  const r = db.prepare("SELECT * FROM storage_targets WHERE id = ?").get(id) as Row | undefined;
  if (!r) throw new NotFoundError(`No storage target ${id}`);
  return r;
}

/** One target. */
export function getTarget(db: DatabaseSync, id: number): TargetView {
  return toView(row(db, id));
}

/** A client for a target, with its prefix. */
export async function openTarget(
  db: DatabaseSync,
  box: SecretBox,
  id: number,
): Promise<{ view: TargetView; client: S3Client; prefix: string }> {
  const r = row(db, id);
  const view = toView(r);
  return {
    view,
    prefix: view.prefix,
    client: new S3Client({ ...view, secretAccessKey: await box.decrypt(r.secret) }),
  };
}

/** A client for an unsaved configuration (test connection before saving). */
export function clientFor(input: S3TargetInput, secret: string): S3Client {
  const config: S3Config = { ...input, secretAccessKey: secret };
  return new S3Client(config);
}

/** Creates or replaces a target; a blank secret keeps the stored one. */
export async function saveTarget(
  db: DatabaseSync,
  box: SecretBox,
  input: S3TargetInput,
  id?: number,
): Promise<TargetView> {
  await assertOutboundUrl(input.endpoint);
  const existing = id === undefined ? undefined : row(db, id);
  const { secretAccessKey, name, ...config } = input;
  const secret = secretAccessKey?.trim()
    ? await box.encrypt(secretAccessKey.trim())
    : existing?.secret;
  if (!secret) {
    throw new ValidationError("The secret access key is required", [
      { path: "secretAccessKey", message: "required" },
    ]);
  }
  try {
    if (existing) {
      db.prepare("UPDATE storage_targets SET name = ?, config = ?, secret = ? WHERE id = ?")
        .run(name, JSON.stringify(config), secret, existing.id);
      return getTarget(db, existing.id);
    }
    const newId = Number(
      db.prepare(
        "INSERT INTO storage_targets (name, config, secret, created_at) VALUES (?, ?, ?, ?)",
      ).run(name, JSON.stringify(config), secret, Date.now()).lastInsertRowid,
    );
    return getTarget(db, newId);
  } catch (err) {
    if (/UNIQUE/.test((err as Error).message)) {
      throw new ConflictError(`A storage target named "${name}" already exists`);
    }
    throw err;
  }
}

/** Deletes a target (its objects stay in the bucket). */
export function deleteTarget(db: DatabaseSync, id: number): void {
  row(db, id);
  db.prepare("DELETE FROM storage_targets WHERE id = ?").run(id);
}

/** Which step of a connection test failed, if any. */
export interface ConnectionReport {
  ok: boolean;
  steps: { step: "write" | "read" | "list" | "delete"; ok: boolean; error?: string }[];
}

/** Writes, reads back, lists and deletes a probe object; says which step failed. */
export async function testConnection(client: S3Client, prefix: string): Promise<ConnectionReport> {
  const key = `${prefix}.bosun-probe-${crypto.randomUUID()}`;
  const content = `bosun probe ${new Date().toISOString()}`;
  const report: ConnectionReport = { ok: false, steps: [] };
  const step = async (name: ConnectionReport["steps"][number]["step"], fn: () => Promise<void>) => {
    try {
      await fn();
      report.steps.push({ step: name, ok: true });
      return true;
    } catch (err) {
      report.steps.push({ step: name, ok: false, error: (err as Error).message.slice(0, 300) });
      return false;
    }
  };
  const ok = await step("write", () => client.put(key, content, "text/plain")) &&
    await step("read", async () => {
      const text = await (await client.get(key)).text();
      if (text !== content) throw new Error("the object read back differs from what was written");
    }) &&
    await step("list", async () => {
      if (!(await client.list(prefix)).some((o) => o.key === key)) {
        throw new Error("the probe object is not listed");
      }
    }) &&
    await step("delete", () => client.delete(key));
  report.ok = Boolean(ok);
  return report;
}
