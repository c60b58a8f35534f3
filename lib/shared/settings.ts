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
});
/** Bosun's settings. */
export type Settings = z.infer<typeof SettingsSchema>;

/** A partial update of the settings. */
export const SettingsUpdateSchema = SettingsSchema.partial().strict();
