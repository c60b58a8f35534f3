/** Debian Chromium through playwright-core, signed in to a test Bosun. */
import { type Browser, chromium, type Page } from "playwright-core";

/** Waits until every island on the page is hydrated (islands load as separate chunks). */
export async function islandsReady(page: Page): Promise<void> {
  try {
    await page.waitForFunction(() =>
      [...document.querySelectorAll<HTMLElement>("[data-island]")].every((e) => e.dataset.hydrated)
    );
  } catch (err) {
    // Name the islands that did not hydrate: the timeout alone says nothing.
    const missing = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>("[data-island]")].filter((e) =>
        !e.dataset.hydrated
      ).map((e) => e.dataset.island)
    ).catch(() => []);
    throw new Error(`islands not hydrated: ${missing.join(", ")} (${(err as Error).message})`);
  }
}
import { type Bosun, setupAndLogin } from "../_harness.ts";

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
