/** Opens Bosun's SQLite database (`node:sqlite`) with WAL, foreign keys and migrations. */
import { DatabaseSync } from "node:sqlite";
import { MIGRATIONS } from "./migrations.ts";

/** Opens (creating if needed) and migrates the database at `path` (":memory:" for tests). */
export function openDatabase(path: string): DatabaseSync {
  const db = new DatabaseSync(path);
  db.exec("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;");
  migrate(db);
  return db;
}

/** Runs every migration newer than the database's `user_version`, each in a transaction. */
export function migrate(db: DatabaseSync): void {
  const row = db.prepare("PRAGMA user_version").get() as { user_version: number };
  const current = Number(row.user_version);
  if (current > MIGRATIONS.length) {
    throw new Error(
      `The database is from a newer Bosun (schema ${current}, this one knows ${MIGRATIONS.length})`,
    );
  }
  for (let n = current; n < MIGRATIONS.length; n++) {
    db.exec("BEGIN");
    try {
      db.exec(MIGRATIONS[n]);
      db.exec(`PRAGMA user_version = ${n + 1}`);
      db.exec("COMMIT");
    } catch (err) {
      db.exec("ROLLBACK");
      throw err;
    }
  }
}
