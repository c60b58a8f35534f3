/** Settings → Server: the server name (shown in the top bar, stamped on backups) and environment. */
import { useSignal } from "@preact/signals";
import { HOST_ENVIRONMENTS, type Settings } from "../lib/shared/settings.ts";
import { api, ApiError } from "./_api.ts";

/** Props of SettingsForm: the current settings. */
export type SettingsFormProps = Settings;

/** Edits and saves the server settings. */
export default function SettingsForm(props: SettingsFormProps) {
  const serverName = useSignal(props.serverName);
  const hostEnvironment = useSignal(props.hostEnvironment);
  const labelCommands = useSignal(props.backupLabelCommands);
  const fileMode = useSignal(props.backupFileMode);
  const fileOwner = useSignal(props.backupFileOwner);
  const checkHours = useSignal(props.updateCheckHours);
  const stabilize = useSignal(props.updateStabilizeSeconds);
  const storageRoot = useSignal(props.storageRoot);
  const numbers = useSignal({
    healthIntervalSeconds: props.healthIntervalSeconds,
    cpuWarnPercent: props.cpuWarnPercent,
    cpuCriticalPercent: props.cpuCriticalPercent,
    memoryWarnPercent: props.memoryWarnPercent,
    memoryCriticalPercent: props.memoryCriticalPercent,
  });
  const message = useSignal("");
  const error = useSignal("");

  const save = async (e: Event) => {
    e.preventDefault();
    message.value = error.value = "";
    try {
      const saved = await api<Settings>("PATCH", "/api/settings", {
        serverName: serverName.value,
        hostEnvironment: hostEnvironment.value,
        backupLabelCommands: labelCommands.value,
        backupFileMode: fileMode.value,
        backupFileOwner: fileOwner.value,
        updateCheckHours: checkHours.value,
        updateStabilizeSeconds: stabilize.value,
        storageRoot: storageRoot.value,
        ...numbers.value,
      });
      serverName.value = saved.serverName;
      message.value = "Saved";
      const label = document.querySelector(".topbar .server");
      if (label) label.textContent = saved.serverName;
    } catch (err) {
      error.value = err instanceof ApiError
        ? [err.message, ...err.errors.map((i) => `${i.path}: ${i.message}`)][0]
        : "Bosun did not answer";
    }
  };

  return (
    <form class="auth-form settings-form" onSubmit={save}>
      <label>
        Server name
        <input
          name="serverName"
          required
          maxLength={63}
          pattern="[A-Za-z0-9][A-Za-z0-9._\-]*"
          value={serverName.value}
          onInput={(e) => serverName.value = e.currentTarget.value}
        />
      </label>
      <label>
        Host environment
        <select
          name="hostEnvironment"
          value={hostEnvironment.value}
          onChange={(e) =>
            hostEnvironment.value = e.currentTarget.value as Settings["hostEnvironment"]}
        >
          {HOST_ENVIRONMENTS.map((env) => <option key={env} value={env}>{env}</option>)}
        </select>
      </label>
      <label class="check">
        <input
          type="checkbox"
          name="backupLabelCommands"
          checked={labelCommands.value}
          onChange={(e) => labelCommands.value = e.currentTarget.checked}
        />
        Run backup commands from container labels (<code>bosun.backup.pre</code>,{" "}
        <code>bosun.backup.post</code>)
      </label>
      <p class="muted">
        Off by default: anyone who can label a container could otherwise run commands in it through
        Bosun.
      </p>
      <label>
        Backup file mode (octal)
        <input
          name="backupFileMode"
          pattern="0?[0-7]{3}"
          value={fileMode.value}
          onInput={(e) => fileMode.value = e.currentTarget.value}
        />
      </label>
      <label>
        Backup file owner (uid:gid, empty for Bosun's own)
        <input
          name="backupFileOwner"
          pattern="([0-9]+:[0-9]+)?"
          value={fileOwner.value}
          onInput={(e) => fileOwner.value = e.currentTarget.value}
        />
      </label>
      <label>
        Storage root (new containers' folders are suggested under it)
        <input
          name="storageRoot"
          value={storageRoot.value}
          onInput={(e) => storageRoot.value = e.currentTarget.value}
        />
      </label>
      <label>
        Hours between image update checks (0: only on demand)
        <input
          name="updateCheckHours"
          type="number"
          min={0}
          max={168}
          value={checkHours.value}
          onInput={(e) => checkHours.value = Number(e.currentTarget.value)}
        />
      </label>
      <label>
        Seconds an updated container must keep running before the update counts
        <input
          name="updateStabilizeSeconds"
          type="number"
          min={1}
          max={600}
          value={stabilize.value}
          onInput={(e) => stabilize.value = Number(e.currentTarget.value)}
        />
      </label>
      {(
        [
          ["healthIntervalSeconds", "Seconds between health checks (0: only on demand)", 0, 86400],
          ["cpuWarnPercent", "CPU % that makes a container a warning", 1, 1000],
          ["cpuCriticalPercent", "CPU % that makes it critical", 1, 1000],
          ["memoryWarnPercent", "Memory % of its limit that makes a warning", 1, 100],
          ["memoryCriticalPercent", "Memory % of its limit that makes it critical", 1, 100],
        ] as const
      ).map(([key, label, min, max]) => (
        <label key={key}>
          {label}
          <input
            name={key}
            type="number"
            min={min}
            max={max}
            value={numbers.value[key]}
            onInput={(e) =>
              numbers.value = { ...numbers.value, [key]: Number(e.currentTarget.value) }}
          />
        </label>
      ))}
      {error.value && <p class="error" role="alert">{error.value}</p>}
      {message.value && <p class="muted" role="status">{message.value}</p>}
      <button type="submit">Save</button>
    </form>
  );
}

/** Props validation used by the island loader. */
export { SettingsSchema as propsSchema } from "../lib/shared/settings.ts";
