/** The docker command of the last action on any page, with a copy button. */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { CopyButton } from "./_cli.tsx";

/** Shows the `cli` of the last API action (dispatched by `api()` as `bosun-cli`). */
export default function CliToast(_props: Record<string, never>) {
  const cli = useSignal("");
  useEffect(() => {
    const on = (e: Event) => {
      cli.value = (e as CustomEvent<string>).detail;
    };
    globalThis.addEventListener("bosun-cli", on);
    return () => globalThis.removeEventListener("bosun-cli", on);
  }, []);
  if (!cli.value) return null;
  return (
    <div class="cli-toast" role="status" data-cli-toast>
      <span class="muted">The docker command:</span>
      <pre>{cli.value}</pre>
      <CopyButton text={cli.value} />
      <button type="button" class="link" aria-label="Dismiss" onClick={() => cli.value = ""}>
        ×
      </button>
    </div>
  );
}
