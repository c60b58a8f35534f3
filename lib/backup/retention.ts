/**
 * Retention with restic's `forget` semantics: `keepLast` keeps the N newest backups; each of
 * `keepDaily`, `keepWeekly`, `keepMonthly`, `keepYearly` keeps the newest backup in each of
 * the N most recent periods that have a backup (periods are counted back from the newest
 * backup, not from today, so a paused schedule never empties its history). Periods are
 * calendar days, ISO weeks, months and years in the schedule's time zone. Manual backups
 * are never forgotten, and neither is a container's newest verified backup.
 */

/** How many of each to keep; all absent means "keep everything". */
export interface RetentionPolicy {
  keepLast?: number;
  keepDaily?: number;
  keepWeekly?: number;
  keepMonthly?: number;
  keepYearly?: number;
}

/** What retention needs to know about one backup. */
export interface RetentionItem {
  file: string;
  /** The container (or stack) it belongs to: retention runs per container. */
  container: string;
  created: Date;
  type: "manual" | "scheduled";
  verified: boolean;
}

/** The decision for one backup, with the rules that kept it. */
export interface RetentionDecision {
  file: string;
  container: string;
  created: string;
  keep: boolean;
  reasons: string[];
}

/** True when the policy keeps something (an empty policy prunes nothing). */
export function hasRules(p: RetentionPolicy): boolean {
  return [p.keepLast, p.keepDaily, p.keepWeekly, p.keepMonthly, p.keepYearly]
    .some((n) => n !== undefined);
}

/** The calendar parts of `date` in `timeZone`. */
function localParts(date: Date, timeZone: string): { y: number; m: number; d: number } {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).formatToParts(date);
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  return { y: get("year"), m: get("month"), d: get("day") };
}

/** ISO 8601 week of a calendar date: "2026-W48". */
function isoWeek(y: number, m: number, d: number): string {
  const date = new Date(Date.UTC(y, m - 1, d));
  const day = date.getUTCDay() || 7; // Monday 1 … Sunday 7
  date.setUTCDate(date.getUTCDate() + 4 - day); // the Thursday of this week decides the year
  const yearStart = Date.UTC(date.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((date.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${date.getUTCFullYear()}-W${String(week).padStart(2, "0")}`;
}

const PERIODS = [
  ["keepDaily", "daily", (p: { y: number; m: number; d: number }) => `${p.y}-${p.m}-${p.d}`],
  ["keepWeekly", "weekly", (p: { y: number; m: number; d: number }) => isoWeek(p.y, p.m, p.d)],
  ["keepMonthly", "monthly", (p: { y: number; m: number; d: number }) => `${p.y}-${p.m}`],
  ["keepYearly", "yearly", (p: { y: number; m: number; d: number }) => `${p.y}`],
] as const;

/** Decides, per container, which backups a policy keeps and which it forgets. */
export function applyRetention(
  items: RetentionItem[],
  policy: RetentionPolicy,
  timeZone = "UTC",
): RetentionDecision[] {
  const out: RetentionDecision[] = [];
  const byContainer = new Map<string, RetentionItem[]>();
  for (const item of items) {
    const list = byContainer.get(item.container) ?? [];
    list.push(item);
    byContainer.set(item.container, list);
  }
  for (const [container, list] of byContainer) {
    const sorted = [...list].sort((a, b) => b.created.getTime() - a.created.getTime());
    const reasons = new Map<string, string[]>(sorted.map((i) => [i.file, []]));
    const scheduled = sorted.filter((i) => i.type === "scheduled");
    for (const i of sorted) {
      if (i.type === "manual") reasons.get(i.file)!.push("manual");
    }
    const newestVerified = sorted.find((i) => i.verified);
    if (newestVerified) reasons.get(newestVerified.file)!.push("newest verified");
    if (!hasRules(policy)) {
      for (const i of scheduled) reasons.get(i.file)!.push("no retention rules");
    }
    scheduled.slice(0, policy.keepLast ?? 0).forEach((i, n) =>
      reasons.get(i.file)!.push(`last ${n + 1}`)
    );
    for (const [key, label, period] of PERIODS) {
      const limit = policy[key] ?? 0;
      const seen = new Set<string>();
      for (const i of scheduled) {
        if (seen.size >= limit) break;
        const p = period(localParts(i.created, timeZone));
        if (seen.has(p)) continue;
        seen.add(p); // the newest backup of this period (the list is newest first)
        reasons.get(i.file)!.push(`${label} ${p}`);
      }
    }
    for (const i of sorted) {
      const why = reasons.get(i.file)!;
      out.push({
        file: i.file,
        container,
        created: i.created.toISOString(),
        keep: why.length > 0,
        reasons: why,
      });
    }
  }
  return out;
}
