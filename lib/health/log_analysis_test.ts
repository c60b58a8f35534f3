import assert from "node:assert/strict";
import { analyseLog, levelOf, normaliseMessage, PATTERN_IDS } from "./log_analysis.ts";

const fixtures = new URL("../../tests/fixtures/logs/", import.meta.url);

Deno.test("every named pattern is recognised in its fixture log", async () => {
  assert.ok(PATTERN_IDS.length >= 10);
  for (const id of PATTERN_IDS) {
    const text = await Deno.readTextFile(new URL(`${id}.txt`, fixtures));
    const analysis = analyseLog(text.split("\n").filter(Boolean).map((t) => ({ text: t })));
    assert.equal(analysis.suggestions[0]?.id, id, `${id}: ${JSON.stringify(analysis.suggestions)}`);
    assert.ok(analysis.suggestions[0].advice.length > 40);
  }
});

Deno.test("levels, error rate per minute and the most common normalised errors", () => {
  const lines = [
    { time: "2026-11-24T10:00:01Z", text: "INFO started on 0.0.0.0:8080" },
    { time: "2026-11-24T10:00:02Z", text: "ERROR request 42 failed for 10.0.0.7:5000" },
    { time: "2026-11-24T10:00:30Z", text: "ERROR request 43 failed for 10.0.0.9:5000" },
    { time: "2026-11-24T10:01:05Z", text: "WARN slow query took 1234ms" },
    { time: "2026-11-24T10:01:06Z", text: 'level=error msg="upstream gone"' },
    { time: "2026-11-24T10:01:07Z", text: "debug: cache hit" },
    { time: "2026-11-24T10:01:08Z", text: "plain line" },
  ];
  const a = analyseLog(lines);
  assert.deepEqual(a.levels, { error: 3, warn: 1, info: 1, debug: 1, other: 1 });
  assert.deepEqual(a.errorsPerMinute, [
    { minute: "2026-11-24T10:00", errors: 2 },
    { minute: "2026-11-24T10:01", errors: 1 },
  ]);
  assert.deepEqual(a.topErrors[0], { message: "ERROR request N failed for <ip>", count: 2 });
  assert.equal(levelOf("Traceback: Exception raised"), "error");
  assert.equal(
    normaliseMessage("2026-11-24T10:00:01.123Z failed /var/lib/app/x.db id 1f2e3d4c5b6a7980"),
    "failed <path> id <hex>",
  );
});
