import assert from "node:assert/strict";
import { openDatabase } from "../db/database.ts";
import { ConflictError, UnauthorizedError, ValidationError } from "../errors.ts";
import { AuthService } from "./auth_service.ts";
import { hashPassword, needsRehash, verifyPassword } from "./password.ts";

const PW = "Correct-Horse-42!";
const meta = { ip: "10.0.0.5", userAgent: "test" };

function service(now: { t: number }) {
  const db = openDatabase(":memory:");
  const auth = new AuthService(db, { idleMs: 1000, maxMs: 5000, rememberMs: 20_000 }, () => now.t);
  return { db, auth };
}

Deno.test("AuthService.setup() enforces the policy and runs once", async () => {
  const { db, auth } = service({ t: 0 });
  await assert.rejects(auth.setup("short"), ValidationError);
  assert.equal(auth.isSetUp(), false);
  await auth.setup(PW);
  await assert.rejects(auth.setup(PW), ConflictError);
  const row = db.prepare("SELECT password_hash FROM admin").get() as { password_hash: string };
  assert.match(row.password_hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  assert.ok(!row.password_hash.includes(PW));
  db.close();
});

Deno.test("AuthService sessions expire when idle and at their absolute lifetime", async () => {
  const now = { t: 1_000_000 };
  const { db, auth } = service(now);
  await auth.setup(PW);
  await assert.rejects(auth.login("Wrong-Horse-42!", false, meta), UnauthorizedError);
  const { token, session } = await auth.login(PW, false, meta);
  const stored = db.prepare("SELECT token_hash FROM sessions").get() as { token_hash: string };
  assert.notEqual(stored.token_hash, token, "only the hash is stored");
  assert.equal(token.length, 43, "256-bit token");
  now.t += 900;
  assert.equal((await auth.authenticateSession(token))?.id, session.id);
  now.t += 900;
  assert.ok(await auth.authenticateSession(token), "activity keeps it alive");
  now.t += 1000;
  assert.equal(await auth.authenticateSession(token), undefined, "idle expiry");
  const second = await auth.login(PW, false, meta);
  for (let i = 0; i < 6; i++) {
    now.t += 900;
    await auth.authenticateSession(second.token);
  }
  assert.equal(await auth.authenticateSession(second.token), undefined, "absolute expiry");
  const remembered = await auth.login(PW, true, meta);
  now.t += 10_000;
  assert.ok(await auth.authenticateSession(remembered.token), "remember me survives idle");
  db.close();
});

Deno.test("AuthService.changePassword() revokes other sessions and every token", async () => {
  const { db, auth } = service({ t: 0 });
  await auth.setup(PW);
  const mine = await auth.login(PW, false, meta);
  const other = await auth.login(PW, false, meta);
  const token = await auth.createToken("ci");
  assert.ok(await auth.authenticateToken(token.token));
  await assert.rejects(
    auth.changePassword("nope", "New-Password-99!", mine.session.id),
    /current password/,
  );
  await assert.rejects(auth.changePassword(PW, PW, mine.session.id), /must differ/);
  await auth.changePassword(PW, "New-Password-99!", mine.session.id);
  assert.ok(await auth.authenticateSession(mine.token));
  assert.equal(await auth.authenticateSession(other.token), undefined);
  assert.equal(await auth.authenticateToken(token.token), undefined);
  await auth.login("New-Password-99!", false, meta);
  db.close();
});

Deno.test("AuthService.resetPassword() forces a change and revokes sessions", async () => {
  const { db, auth } = service({ t: 0 });
  await auth.setup(PW);
  const s = await auth.login(PW, false, meta);
  const temporary = await auth.resetPassword();
  assert.equal(auth.mustChangePassword(), true);
  assert.equal(await auth.authenticateSession(s.token), undefined);
  const next = await auth.login(temporary, false, meta);
  await auth.changePassword(temporary, "Fresh-Password-1!", next.session.id);
  assert.equal(auth.mustChangePassword(), false);
  db.close();
});

Deno.test("AuthService.applyEnvironmentPassword() revokes sessions only when it changes", async () => {
  const { db, auth } = service({ t: 0 });
  assert.equal(await auth.applyEnvironmentPassword(PW), true);
  const s = await auth.login(PW, false, meta);
  assert.equal(await auth.applyEnvironmentPassword(PW), false);
  assert.ok(await auth.authenticateSession(s.token));
  assert.equal(await auth.applyEnvironmentPassword("Other-Password-2!"), true);
  assert.equal(await auth.authenticateSession(s.token), undefined);
  await assert.rejects(auth.applyEnvironmentPassword("weak"), ValidationError);
  db.close();
});

Deno.test("login re-hashes a password stored with older argon2 parameters", async () => {
  const { db, auth } = service({ t: 0 });
  const old = await hashPassword(PW, {
    memorySize: 4096,
    iterations: 1,
    parallelism: 1,
    hashLength: 32,
  });
  assert.equal(needsRehash(old), true);
  db.prepare("INSERT INTO admin (id, password_hash, updated_at) VALUES (1, ?, 0)").run(old);
  await auth.login(PW, false, meta);
  const row = db.prepare("SELECT password_hash FROM admin").get() as { password_hash: string };
  assert.equal(needsRehash(row.password_hash), false);
  assert.ok(await verifyPassword(PW, row.password_hash));
  assert.equal(await verifyPassword(PW, "not a hash"), false);
  db.close();
});

Deno.test("API tokens are listed without values and revocable", async () => {
  const { db, auth } = service({ t: 0 });
  const created = await auth.createToken("backup");
  assert.match(created.token, /^bosun_[A-Za-z0-9_-]{43}$/);
  assert.ok(!JSON.stringify(auth.listTokens()).includes(created.token));
  assert.equal(auth.revokeToken(created.id), true);
  assert.equal(auth.revokeToken(created.id), false);
  assert.equal(await auth.authenticateToken(created.token), undefined);
  db.close();
});
