/** Settings schemas shared by the server and the UI. */
import { z } from "zod";

/** Host environments (DockerMate's tags). */
export const HOST_ENVIRONMENTS = ["PRD", "UAT", "DEV", "SANDBOX", "MIXED"] as const;

/** All settings with their validation. */
export const SettingsSchema = z.object({
  serverName: z.string().trim().min(1).max(63).regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
    "letters, digits, '.', '_' and '-', starting with a letter or digit",
  ),
  hostEnvironment: z.enum(HOST_ENVIRONMENTS),
  /**
   * Honour `bosun.backup.pre` / `bosun.backup.post` container labels. Off by default: anyone
   * able to label a container must not gain exec through Bosun by it.
   */
  backupLabelCommands: z.boolean(),
  /** Mode of backup files in the local vault (octal), e.g. "0640" so another tool can read them. */
  backupFileMode: z.string().regex(/^0?[0-7]{3}$/, "an octal mode like 0640"),
  /** Owner of backup files, "uid:gid" (numeric), or "" to leave them Bosun's. */
  backupFileOwner: z.string().regex(/^(\d{1,10}:\d{1,10})?$/, "uid:gid, numeric"),
  /** Hours between automatic image update checks; 0 turns scheduled checks off. */
  updateCheckHours: z.number().int().min(0).max(168),
  /** How long an updated container must keep running before the update counts as good. */
  updateStabilizeSeconds: z.number().int().min(1).max(600),
  /** Where suggested host folders for new containers go (`<root>/<name>/…`). */
  storageRoot: z.string().regex(/^\/[^\0]*$/, "an absolute path").max(1024),
  /** Seconds between automatic health checks; 0 turns them off. */
  healthIntervalSeconds: z.number().int().min(0).max(86_400),
  /** CPU and memory use (percent) that make a container warning, and critical. */
  cpuWarnPercent: z.number().min(1).max(1000),
  cpuCriticalPercent: z.number().min(1).max(1000),
  memoryWarnPercent: z.number().min(1).max(100),
  memoryCriticalPercent: z.number().min(1).max(100),
});
/** Bosun's settings. */
export type Settings = z.infer<typeof SettingsSchema>;

/** A partial update of the settings. */
export const SettingsUpdateSchema = SettingsSchema.partial().strict();
