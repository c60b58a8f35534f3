import assert from "node:assert/strict";
import { migrate, openDatabase } from "./database.ts";
import { MIGRATIONS } from "./migrations.ts";

Deno.test("openDatabase() migrates to the latest schema with WAL and foreign keys", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const db = openDatabase(`${dir}/bosun.db`);
    const version = db.prepare("PRAGMA user_version").get() as { user_version: number };
    assert.equal(version.user_version, MIGRATIONS.length);
    assert.equal(
      (db.prepare("PRAGMA journal_mode").get() as { journal_mode: string }).journal_mode,
      "wal",
    );
    assert.equal(
      (db.prepare("PRAGMA foreign_keys").get() as { foreign_keys: number }).foreign_keys,
      1,
    );
    migrate(db); // idempotent
    db.exec(`PRAGMA user_version = ${MIGRATIONS.length + 1}`);
    assert.throws(() => migrate(db), /newer Bosun/);
    db.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
