import assert from "node:assert/strict";
import { parseAnsi } from "./ansi.ts";

Deno.test("parseAnsi() turns SGR codes into styled segments", () => {
  assert.deepEqual(parseAnsi("plain"), [{ text: "plain" }]);
  assert.deepEqual(parseAnsi("\x1b[31mred\x1b[0m ok"), [{ text: "red", fg: 1 }, { text: " ok" }]);
  assert.deepEqual(parseAnsi("\x1b[1;92mB\x1b[22mN\x1b[39m"), [
    { text: "B", fg: 10, bold: true },
    { text: "N", fg: 10 },
  ]);
  assert.deepEqual(parseAnsi("\x1b[38;5;4mx\x1b[48;2;1;2;3my"), [{ text: "xy", fg: 4 }]);
});

Deno.test("parseAnsi() drops other escapes and control characters, keeps HTML as text", () => {
  const hostile = "\x1b]0;title\x07<img src=x onerror=alert(1)>\x1b[2J\x1b[H\x00\x07end";
  assert.deepEqual(parseAnsi(hostile), [{ text: "<img src=x onerror=alert(1)>end" }]);
  assert.deepEqual(parseAnsi("tab\there"), [{ text: "tab\there" }]);
});
