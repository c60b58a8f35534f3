/** A copy-to-clipboard button, for the docker commands Bosun shows. */
import { useSignal } from "@preact/signals";

/** Copies `text`; says "Copied" for a moment. */
export function CopyButton(props: { text: string }) {
  const copied = useSignal(false);
  return (
    <button
      type="button"
      onClick={async () => {
        await navigator.clipboard?.writeText(props.text).catch(() => {});
        copied.value = true;
        setTimeout(() => copied.value = false, 1500);
      }}
    >
      {copied.value ? "Copied" : "Copy"}
    </button>
  );
}
