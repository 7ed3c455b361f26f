// Shared set-up for the browser tests: the static server on a free port of
// 127.0.0.1, Debian's headless Chromium through playwright-core, and a guard
// that records every request and fails on any that leaves 127.0.0.1.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, after } from "node:test";
import { chromium } from "playwright-core";
import { serve } from "../../scripts/static-server.mjs";

export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

/** `server`: a listening HTTP server on 127.0.0.1 to use instead of the repository's static server. */
export async function startBrowser({ server: given } = {}) {
  const server = given ?? (await serve(0));
  const origin = `http://127.0.0.1:${server.address().port}`;
  const profile = await mkdtemp(join(tmpdir(), "gd-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    acceptDownloads: true,
    args: [
      "--no-sandbox",
      "--headless",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const requests = [];
  const foreign = [];
  context.on("request", (request) => {
    const url = request.url();
    requests.push(url);
    if (!url.startsWith(origin + "/") && !url.startsWith("blob:") && !url.startsWith("data:")) foreign.push(url);
  });
  // Nothing may leave 127.0.0.1: anything else is recorded above and aborted here.
  await context.route(/.*/, (route) => {
    const url = route.request().url();
    if (url.startsWith(origin + "/") || url.startsWith("blob:") || url.startsWith("data:")) return route.continue();
    return route.abort("blockedbyclient");
  });
  return {
    origin,
    context,
    requests,
    foreign,
    async close() {
      await context.close();
      await new Promise((ok) => server.close(ok));
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/**
 * One browser for the calling test file: started before its first test, closed
 * after its last, and then checked: no request of any page may have left
 * 127.0.0.1. Read `.env` inside tests.
 */
export function browserPerFile() {
  let env;
  before(async () => {
    env = await startBrowser();
  });
  after(async () => {
    await env?.close();
    assert.deepEqual(env.foreign, [], "no request may leave 127.0.0.1");
  });
  return {
    get env() {
      return env;
    },
  };
}

/** Fails on any page error, console error or CSP violation, then closes the page. */
export async function closeClean({ page, problems }) {
  assert.deepEqual(problems, [], "no page errors, console errors or CSP violations");
  assert.equal(await page.evaluate(() => window.__cspViolations), undefined);
  await page.close();
}

/** Opens a page, collecting console errors, page errors and CSP violations. */
export async function openPage(env, path, { locale } = {}) {
  const page = await env.context.newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(`console: ${msg.text()}`);
  });
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      (window.__cspViolations ??= []).push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  if (locale) {
    await page.addInitScript((lang) => {
      Object.defineProperty(navigator, "language", { get: () => lang });
      Object.defineProperty(navigator, "languages", { get: () => [lang] });
    }, locale);
  }
  await page.goto(env.origin + path);
  return { page, problems };
}

export async function waitReady(page) {
  await page.waitForSelector('body[data-ready="true"]');
}

/** Fills the editor and waits until the findings for that text are rendered. */
export async function enter(page, text) {
  await page.evaluate(() => performance.clearMarks("gd:findings-rendered"));
  await page.getByTestId("manifest-input").fill(text);
  await page.waitForFunction(() => performance.getEntriesByName("gd:findings-rendered").length > 0);
}

/** Waits for the next rendering of findings after `action`. */
export async function rechecked(page, action) {
  await page.evaluate(() => performance.clearMarks("gd:findings-rendered"));
  await action();
  await page.waitForFunction(() => performance.getEntriesByName("gd:findings-rendered").length > 0);
}
