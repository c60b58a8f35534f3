/**
 * Parses ANSI SGR colour codes into styled segments, so log output shows its colours as
 * classes on escaped text; every other escape sequence is dropped.
 */

/** A run of text with one style. */
export interface AnsiSegment {
  text: string;
  /** Foreground colour 0–15, or undefined for the default. */
  fg?: number;
  bg?: number;
  bold?: boolean;
}

const ESCAPES =
  // deno-lint-ignore no-control-regex
  /\x1b\[([0-9;?]*)([A-Za-z])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]|[\x00-\x08\x0b-\x1f\x7f]/g;

/** Splits `input` into styled segments. */
export function parseAnsi(input: string): AnsiSegment[] {
  const out: AnsiSegment[] = [];
  let style: Omit<AnsiSegment, "text"> = {};
  let last = 0;
  const push = (text: string) => {
    if (!text) return;
    const prev = out[out.length - 1];
    if (prev && prev.fg === style.fg && prev.bg === style.bg && prev.bold === style.bold) {
      prev.text += text;
    } else {
      out.push({ text, ...style });
    }
  };
  for (const m of input.matchAll(ESCAPES)) {
    push(input.slice(last, m.index));
    last = m.index! + m[0].length;
    if (m[2] === "m") style = applySgr(style, m[1]);
  }
  push(input.slice(last));
  return out;
}

function applySgr(style: Omit<AnsiSegment, "text">, params: string): Omit<AnsiSegment, "text"> {
  const next = { ...style };
  const codes = params === "" ? [0] : params.split(";").map(Number);
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i];
    if (c === 0) (delete next.fg, delete next.bg, delete next.bold);
    else if (c === 1) next.bold = true;
    else if (c === 22) delete next.bold;
    else if (c >= 30 && c <= 37) next.fg = c - 30;
    else if (c >= 90 && c <= 97) next.fg = c - 90 + 8;
    else if (c === 39) delete next.fg;
    else if (c >= 40 && c <= 47) next.bg = c - 40;
    else if (c >= 100 && c <= 107) next.bg = c - 100 + 8;
    else if (c === 49) delete next.bg;
    else if ((c === 38 || c === 48) && codes[i + 1] === 5) {
      const n = codes[i + 2];
      if (n !== undefined && n < 16) next[c === 38 ? "fg" : "bg"] = n;
      i += 2;
    } else if ((c === 38 || c === 48) && codes[i + 1] === 2) i += 4;
  }
  return next;
}
