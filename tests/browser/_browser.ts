/** Debian Chromium through playwright-core, signed in to a test Bosun. */
import { type Browser, chromium, type Page } from "playwright-core";
import { type Bosun, setupAndLogin } from "../_harness.ts";

/** Script loads that failed since the page last navigated: "url: error", per page. */
const failedScripts = new WeakMap<Page, string[]>();

/**
 * Waits until every island on the page is hydrated (islands load as separate chunks). Other
 * test files create containers in parallel, and each new veth makes Chromium abort requests
 * in flight with ERR_NETWORK_CHANGED; when that takes a script the page can never hydrate,
 * so it is reloaded (at most twice). Without such an abort, 30 s without hydration fails.
 */
export async function islandsReady(page: Page): Promise<void> {
  for (let reloads = 0, waited = 0;;) {
    try {
      await page.waitForFunction(
        () =>
          [...document.querySelectorAll<HTMLElement>("[data-island]")].every((e) =>
            e.dataset.hydrated
          ),
        undefined,
        { timeout: 5_000 },
      );
      return;
    } catch (err) {
      const failed = failedScripts.get(page) ?? [];
      if (reloads < 2 && failed.some((f) => f.includes("ERR_NETWORK_CHANGED"))) {
        reloads++;
        waited = 0;
        await page.reload();
        continue;
      }
      waited += 5_000;
      if (waited < 30_000) continue;
      // Name the islands that did not hydrate: the timeout alone says nothing.
      const missing = await page.evaluate(() =>
        [...document.querySelectorAll<HTMLElement>("[data-island]")].filter((e) =>
          !e.dataset.hydrated
        ).map((e) => e.dataset.island)
      ).catch(() => []);
      throw new Error(
        `islands not hydrated: ${missing.join(", ")} (${(err as Error).message}); ` +
          `failed scripts: ${failed.join("; ") || "none"}`,
      );
    }
  }
}

/** Flags that keep Chromium quiet on a machine without internet. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** A browser with one signed-in page; console errors and dialogs are collected. */
export interface BrowserSession extends AsyncDisposable {
  browser: Browser;
  page: Page;
  consoleErrors: string[];
  dialogs: string[];
  /** Answers the next prompt() dialogs get, in order (others are dismissed). */
  promptAnswers: string[];
}

/** Launches Chromium and signs in to `bosun` (running setup first). */
export async function signedInBrowser(bosun: Bosun, width = 1200): Promise<BrowserSession> {
  const admin = await setupAndLogin(bosun);
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
  });
  const context = await browser.newContext({ viewport: { width, height: 800 } });
  await context.addCookies(
    [...admin.cookies].map(([name, value]) => ({ name, value, url: bosun.url })),
  );
  const page = await context.newPage();
  // A navigation Chromium aborts with ERR_NETWORK_CHANGED (see islandsReady) is tried again.
  for (const method of ["goto", "reload"] as const) {
    const original = page[method].bind(page) as (...args: unknown[]) => Promise<unknown>;
    Object.assign(page, {
      [method]: async (...args: unknown[]) => {
        for (let attempt = 1;; attempt++) {
          try {
            return await original(...args);
          } catch (err) {
            if (attempt === 3 || !String(err).includes("ERR_NETWORK_CHANGED")) throw err;
          }
        }
      },
    });
  }
  const consoleErrors: string[] = [];
  const dialogs: string[] = [];
  const promptAnswers: string[] = [];
  page.on("console", (m) => {
    // Other test files create containers in parallel; each new veth makes Chromium report
    // ERR_NETWORK_CHANGED for requests in flight. That is the machine, not Bosun.
    if (m.type() === "error" && !m.text().includes("ERR_NETWORK_CHANGED")) {
      consoleErrors.push(m.text());
    }
  });
  page.on("pageerror", (e) => consoleErrors.push(String(e)));
  page.on("framenavigated", (frame) => {
    if (frame === page.mainFrame()) failedScripts.set(page, []);
  });
  page.on("requestfailed", (r) => {
    if (r.resourceType() !== "script") return;
    failedScripts.get(page)?.push(`${r.url()}: ${r.failure()?.errorText}`);
  });
  page.on("dialog", (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    if (d.type() === "prompt" && promptAnswers.length) void d.accept(promptAnswers.shift());
    else void (d.type() === "confirm" ? d.accept() : d.dismiss());
  });
  return {
    browser,
    page,
    consoleErrors,
    dialogs,
    promptAnswers,
    [Symbol.asyncDispose]: () => browser.close(),
  };
}
