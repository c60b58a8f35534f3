import assert from "node:assert/strict";
import { takePidMarker, terminalCommand } from "./terminal.ts";

Deno.test("takePidMarker() removes the marker and reads the PID", () => {
  assert.deepEqual(takePidMarker("\x1b]bosun-pid;17\x07/ # "), { text: "/ # ", pid: 17 });
  assert.deepEqual(takePidMarker("no marker"), { text: "no marker" });
});

Deno.test("terminalCommand() passes the shell as an argument, never inside the script", () => {
  const cmd = terminalCommand("/bin/bash");
  assert.equal(cmd.at(-1), "/bin/bash");
  assert.ok(!cmd[2].includes("bash"));
});
