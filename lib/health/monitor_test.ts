import assert from "node:assert/strict";
import { assess, type InspectFacts } from "./monitor.ts";

const T = {
  cpuWarnPercent: 80,
  cpuCriticalPercent: 95,
  memoryWarnPercent: 85,
  memoryCriticalPercent: 95,
};
const facts = (f: Partial<InspectFacts>): InspectFacts => ({
  state: "running",
  exitCode: 0,
  restartCount: 0,
  health: null,
  oomKilled: false,
  ...f,
});
const stats = (cpu: number, mem: number) => ({
  time: "",
  cpuPercent: cpu,
  memoryBytes: 0,
  memoryLimitBytes: 100,
  memoryPercent: mem,
  networkRxBytes: 0,
  networkTxBytes: 0,
  blockReadBytes: 0,
  blockWriteBytes: 0,
  pids: 1,
});
const prev = (restartCount: number) => ({
  container: "x",
  ts: 0,
  status: "healthy" as const,
  reasons: [],
  restartCount,
  exitCode: null,
  health: null,
  cpuPercent: null,
  memoryPercent: null,
});

Deno.test("health statuses with their reasons", () => {
  assert.deepEqual(assess(facts({}), null, undefined, T), {
    status: "healthy",
    reasons: ["running"],
  });
  assert.equal(assess(facts({ health: "unhealthy" }), null, undefined, T).status, "critical");
  assert.equal(assess(facts({ health: "starting" }), null, undefined, T).status, "warning");
  assert.equal(
    assess(facts({ state: "restarting", exitCode: 1 }), null, undefined, T).status,
    "critical",
  );
  assert.equal(assess(facts({ restartCount: 5 }), null, prev(2), T).status, "critical", "growth 3");
  assert.equal(assess(facts({ restartCount: 3 }), null, prev(2), T).status, "warning", "growth 1");
  assert.deepEqual(
    assess(facts({ state: "exited", exitCode: 0 }), null, undefined, T).status,
    "stopped",
  );
  assert.deepEqual(assess(facts({ state: "exited", exitCode: 2 }), null, undefined, T), {
    status: "critical",
    reasons: ["exited with code 2"],
  });
  assert.equal(
    assess(facts({ state: "exited", exitCode: 137 }), null, undefined, T).status,
    "stopped",
  );
  assert.equal(
    assess(facts({ state: "exited", exitCode: 137, oomKilled: true }), null, undefined, T).status,
    "critical",
  );
  assert.equal(assess(facts({}), stats(85, 10), undefined, T).status, "warning");
  assert.deepEqual(assess(facts({}), stats(10, 97), undefined, T), {
    status: "critical",
    reasons: ["memory 97 % of its limit"],
  });
  assert.equal(assess(facts({ state: "paused" }), null, undefined, T).status, "warning");
});
