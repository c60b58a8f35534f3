import assert from "node:assert/strict";
import { createLogger, redact } from "./logger.ts";

Deno.test("createLogger() writes JSON lines with bound fields and redacts secrets", () => {
  const lines: string[] = [];
  const log = createLogger("info", { service: "t" }, (l) => lines.push(l)).child({
    requestId: "r1",
  });
  log.debug("hidden");
  log.info("login", { password: "hunter2", nested: { apiToken: "t0k" }, user: "admin" });
  assert.equal(lines.length, 1);
  const entry = JSON.parse(lines[0]);
  assert.equal(entry.requestId, "r1");
  assert.equal(entry.password, "[redacted]");
  assert.equal(entry.nested.apiToken, "[redacted]");
  assert.equal(entry.user, "admin");
  assert.ok(!lines[0].includes("hunter2"));
  assert.deepEqual(redact({ Authorization: "Bearer x", cookie: "c" }), {
    Authorization: "[redacted]",
    cookie: "[redacted]",
  });
});
