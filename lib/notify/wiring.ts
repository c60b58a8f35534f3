/** Turns backup-queue and scheduler outcomes into notification events. */
import type { BackupJob, BackupQueue } from "../backup/queue.ts";
import type { Scheduler } from "../schedules/scheduler.ts";
import type { RunSummary, ScheduleRun } from "../schedules/store.ts";
import type { Notifier } from "./notifier.ts";

/** Subscribes the notifier to the queue's failed jobs and the scheduler's finished runs. */
export function connectNotifications(
  notifier: Notifier,
  queue: BackupQueue,
  scheduler: Scheduler,
): void {
  queue.addEventListener("job", (e) => {
    const job = (e as CustomEvent<BackupJob>).detail;
    if (job.status !== "failed") return;
    notifier.notify({
      type: "backup.failed",
      title: `Backup of ${job.container} failed`,
      message: job.error ?? "The backup failed",
      details: { job: job.id, container: job.container, scheduled: job.options.type },
    });
  });
  scheduler.addEventListener("finished", (e) => {
    const { schedule, status, summary } = (e as CustomEvent<
      { schedule: string; status: ScheduleRun["status"]; summary: RunSummary }
    >).detail;
    if (status === "skipped") return;
    const lines = [
      `${summary.backedUp.length} backed up, ${summary.failed.length} failed, ` +
      `${summary.skipped.length} skipped, ${summary.pruned.length} pruned by retention.`,
      ...summary.failed.map((f) => `Failed: ${f.container}: ${f.error}`),
      ...summary.skipped.map((s) => `Skipped: ${s.container}: ${s.reason}`),
      ...(summary.note ? [summary.note] : []),
    ];
    notifier.notify({
      type: "schedule.summary",
      title: `Schedule ${schedule}: ${status}`,
      message: lines.join("\n"),
      details: { schedule, status, ...summary },
    });
    if (summary.pruned.length) {
      notifier.notify({
        type: "retention.deleted",
        title: `Retention of ${schedule} deleted ${summary.pruned.length} backup(s)`,
        message: summary.pruned.map((p) => p.file).join("\n"),
        details: { schedule, deleted: summary.pruned },
      });
    }
  });
}
