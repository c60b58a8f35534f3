import assert from "node:assert/strict";
import { passwordProblems } from "./password_policy.ts";

Deno.test("passwordProblems() names each rule a password fails", () => {
  assert.deepEqual(passwordProblems("Correct-Horse-42!"), []);
  assert.deepEqual(passwordProblems("Ünïcode-Pässwörd-7"), []);
  assert.deepEqual(passwordProblems("short"), [
    "at least 12 characters",
    "an upper-case letter",
    "a digit",
    "a special character",
  ]);
  assert.deepEqual(passwordProblems("NoSpecial12345abc"), ["a special character"]);
  assert.ok(passwordProblems("Aa1!" + "x".repeat(300)).includes("at most 256 characters"));
});
