// The rules reference page (www/rules.html) in real headless Chromium, served from 127.0.0.1.
import { test } from "node:test";
import assert from "node:assert/strict";
import { browserPerFile, closeClean, openPage, waitReady } from "./harness.mjs";

const browser = browserPerFile();

/** The wasm module's own rule list, asked for directly (not through the page). */
async function wasmRules(page) {
  return page.evaluate(async () => {
    const { default: init, rules } = await import("../pkg/gateway_doctor.js");
    await init({ module_or_path: new URL("../pkg/gateway_doctor_bg.wasm", document.baseURI) });
    return rules();
  });
}

test("the rules page lists every rule and expands ASM-LB-001 to its docs", async () => {
  const opened = await openPage(browser.env, "/www/rules.html?lang=en");
  const p = opened.page;
  await waitReady(p);
  const expected = await wasmRules(p);
  assert.ok(expected.length > 1);
  const entries = p.getByTestId("rule");
  assert.equal(await entries.count(), expected.length);
  assert.deepEqual(await entries.evaluateAll((els) => els.map((el) => el.dataset.code)), expected.map((r) => r.code));

  const lb = p.locator('[data-testid="rule"][data-code="ASM-LB-001"]');
  assert.equal(await lb.getAttribute("id"), "asm-lb-001");
  const meta = expected.find((r) => r.code === "ASM-LB-001");
  assert.equal(await lb.getByTestId("rule-title").innerText(), meta.title);
  assert.equal(await lb.getByTestId("rule-severity").innerText(), meta.severity.toUpperCase());
  assert.equal(await lb.getByTestId("rule-docs").isVisible(), false, "closed until asked");
  await lb.locator("summary").click();
  assert.match(await lb.getByTestId("rule-docs").innerText(), /What it does/);
  assert.match(await lb.locator(".sources").innerText(), /S6/);

  // Chinese titles from the same metadata; the open entry stays open.
  await p.getByTestId("lang").selectOption("zh");
  assert.equal(await lb.getByTestId("rule-title").innerText(), meta.titleZh);
  assert.equal(await p.evaluate(() => document.documentElement.lang), "zh-CN");
  assert.equal(await lb.locator("details").evaluate((d) => d.open), true);
  await closeClean(opened);
});

test("#asm-lb-001 deep-links to the open entry, and the pages link to each other", async () => {
  const opened = await openPage(browser.env, "/www/rules.html#asm-lb-001");
  const p = opened.page;
  await waitReady(p);
  const lb = p.locator("#asm-lb-001");
  assert.equal(await lb.locator("details").evaluate((d) => d.open), true);
  assert.match(await lb.getByTestId("rule-docs").innerText(), /What it does/);
  assert.equal(await lb.evaluate((el) => {
    const box = el.getBoundingClientRect();
    return box.top >= 0 && box.top < innerHeight;
  }), true, "scrolled into view");
  // Back to the checker, and from there to the rules again.
  await p.getByTestId("back").click();
  await waitReady(p);
  assert.equal(new URL(p.url()).pathname, "/www/");
  await p.locator("#rules-link").click();
  await waitReady(p);
  assert.equal(new URL(p.url()).pathname, "/www/rules.html");
  await closeClean(opened);
});
