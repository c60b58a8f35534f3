/**
 * `deno task build`: bundles the islands for the browser with code splitting. Each island is
 * an entry point of its own (`static/islands/<Name>.js`, a stable name the pages preload);
 * `_boot.js` finds the islands on a page and hydrates them; `_boot.css` carries the CSS
 * dependencies import (xterm.js).
 */
const root = decodeURIComponent(new URL("../", import.meta.url).pathname);
const islands: string[] = [];
for await (const entry of Deno.readDir(`${root}islands`)) {
  if (entry.isFile && /^[A-Z][A-Za-z]+\.tsx$/.test(entry.name)) {
    islands.push(`islands/${entry.name}`);
  }
}
await Deno.remove(`${root}static/islands`, { recursive: true }).catch(() => {});
const { code } = await new Deno.Command(Deno.execPath(), {
  args: [
    "bundle",
    "--platform",
    "browser",
    "--minify",
    "--code-splitting",
    "--sourcemap=linked",
    "--outdir",
    "static/islands",
    "islands/_boot.ts",
    ...islands.sort(),
  ],
  cwd: root,
  stdout: "inherit",
  stderr: "inherit",
}).output();
Deno.exit(code);
