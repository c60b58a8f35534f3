import assert from "node:assert/strict";
import { applyRetention, type RetentionItem } from "./retention.ts";

/** One scheduled backup a day at 02:00 UTC for `days` days back from 2026-11-24. */
function daily(days: number, container = "web"): RetentionItem[] {
  return Array.from({ length: days }, (_, n) => {
    const created = new Date(Date.UTC(2026, 10, 24 - n, 2));
    return {
      file: `${container}-${created.toISOString().slice(0, 10)}`,
      container,
      created,
      type: "scheduled" as const,
      verified: false,
    };
  });
}

const kept = (d: ReturnType<typeof applyRetention>) => d.filter((x) => x.keep).map((x) => x.file);

Deno.test("keep-last keeps the N newest and forgets the rest", () => {
  const d = applyRetention(daily(10), { keepLast: 3 });
  assert.deepEqual(kept(d), ["web-2026-11-24", "web-2026-11-23", "web-2026-11-22"]);
  assert.equal(d.filter((x) => !x.keep).length, 7);
});

Deno.test("daily/weekly/monthly keep the newest backup of each of the N latest periods", () => {
  const d = applyRetention(daily(70), { keepDaily: 2, keepWeekly: 3, keepMonthly: 3 });
  assert.deepEqual(kept(d), [
    "web-2026-11-24", // daily 1; weekly (W48, Mon 23 – Sun 29); monthly (November)
    "web-2026-11-23", // daily 2
    "web-2026-11-22", // weekly W47 (Sunday, newest of that week)
    "web-2026-11-15", // weekly W46
    "web-2026-10-31", // monthly October
    "web-2026-09-30", // monthly September
  ]);
  const first = d.find((x) => x.file === "web-2026-11-24")!;
  assert.deepEqual(first.reasons, ["daily 2026-11-24", "weekly 2026-W48", "monthly 2026-11"]);
});

Deno.test("periods count back from the newest backup, not from today", () => {
  // Backups stopped a year ago: keep-daily 3 still keeps three.
  const old = daily(10).map((i) => ({
    ...i,
    created: new Date(i.created.getTime() - 365 * 86_400_000),
  }));
  assert.equal(kept(applyRetention(old, { keepDaily: 3 })).length, 3);
});

Deno.test("yearly uses the calendar of the schedule's time zone", () => {
  // 2026-12-31 23:30 UTC is already 2027 in Berlin.
  const items: RetentionItem[] = [
    {
      file: "a",
      container: "c",
      created: new Date("2026-12-31T23:30:00Z"),
      type: "scheduled",
      verified: false,
    },
    {
      file: "b",
      container: "c",
      created: new Date("2026-12-31T20:00:00Z"),
      type: "scheduled",
      verified: false,
    },
  ];
  assert.deepEqual(kept(applyRetention(items, { keepYearly: 2 }, "UTC")), ["a"]);
  assert.deepEqual(kept(applyRetention(items, { keepYearly: 2 }, "Europe/Berlin")), ["a", "b"]);
});

Deno.test("manual backups and the newest verified backup always survive", () => {
  const items = daily(5);
  items[3] = { ...items[3], type: "manual" };
  items[4] = { ...items[4], verified: true }; // the oldest, and the only verified one
  const d = applyRetention(items, { keepLast: 1 });
  assert.deepEqual(kept(d), ["web-2026-11-24", "web-2026-11-21", "web-2026-11-20"]);
  assert.deepEqual(d.find((x) => x.file === "web-2026-11-21")!.reasons, ["manual"]);
  assert.deepEqual(d.find((x) => x.file === "web-2026-11-20")!.reasons, ["newest verified"]);
});

Deno.test("retention runs per container; an empty policy forgets nothing", () => {
  const d = applyRetention([...daily(4, "a"), ...daily(4, "b")], { keepLast: 2 });
  assert.equal(kept(d).length, 4);
  assert.equal(applyRetention(daily(4), {}).filter((x) => !x.keep).length, 0);
});
