// www/embed.js on pages that real docs generators built (tests/docsites/README.md), in
// headless Chromium: MkDocs Material and Hugo (built by build.sh into out/, or
// GD_DOCSITES_OUT) and Docusaurus (committed output, docusaurus/output/). Each page holds
// the founding manifest, a clean YAML block and a shell block.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startBrowser, openPage, closeClean } from "../e2e/harness.mjs";
import { serveSite } from "./site-server.mjs";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const out = process.env.GD_DOCSITES_OUT ?? here("out");
const FOUNDING = readFileSync(here("../data/founding.yaml"), "utf8");
const CLEAN = readFileSync(here("clean.yaml"), "utf8");
const SITES = {
  "MkDocs Material": `${out}/mkdocs`,
  "Hugo (default: inline styles, line numbers in a table)": `${out}/hugo`,
  "Hugo (Chroma classes, inline line numbers)": `${out}/hugo-classes`,
  "Docusaurus (committed output)": here("docusaurus/output"),
};

/**
 * Opens the site's page in its own browser, waits until the embed has checked it, runs
 * `body(page)`, and closes all: the page must be clean (no page or console error) and no
 * request may have left 127.0.0.1.
 */
async function onSite(dir, body) {
  assert.ok(existsSync(`${dir}/index.html`), `${dir}/index.html: run tests/docsites/build.sh first`);
  const env = await startBrowser({ server: await serveSite(dir) });
  try {
    const opened = await openPage(env, "/");
    await opened.page.waitForFunction(() => document.documentElement.dataset.gdEmbed === "done");
    await body(opened.page);
    await closeClean(opened);
  } finally {
    await env.close();
  }
  assert.deepEqual(env.foreign, [], "no request may leave 127.0.0.1");
}

/**
 * What the embed did to the page: each YAML block's text as it read it, the findings box
 * after the block, the lines it marked, and the text of each marked range.
 */
function embedState(page) {
  return page.evaluate(async () => {
    const embed = await import("/gateway-doctor/www/embed.js");
    const marked = (code, severity) =>
      [...(CSS.highlights.get(`gd-line-${severity}`) ?? [])].filter((r) => code.contains(r.commonAncestorContainer)).map((r) => r.toString());
    return embed.findBlocks().map((code) => {
      const root = code.closest("[data-gd-checked]");
      const box = root?.nextElementSibling;
      return {
        text: embed.readBlock(code).text,
        checked: root?.dataset.gdChecked ?? null,
        lines: root?.dataset.gdLines ?? null,
        boxAfter: box?.classList.contains("gd-embed") ?? false,
        title: box?.querySelector(".gd-title")?.textContent ?? null,
        findings: [...(box?.querySelectorAll('[data-testid="embed-finding"]') ?? [])].map((f) => ({ code: f.dataset.code, line: Number(f.dataset.line) })),
        warning: marked(code, "warning"),
        info: marked(code, "info"),
        error: marked(code, "error"),
      };
    });
  });
}

/** The shell block: its wrapper, untouched (no findings after it, no mark in it). */
function shellBlock(page) {
  return page.evaluate(() => {
    const code = [...document.querySelectorAll("code")].find((c) => c.textContent.includes("kubectl -n istio-system"));
    let root = code.closest("pre");
    while (root.parentElement.matches(".highlight, .theme-code-block, [class*='codeBlock']")) root = root.parentElement;
    const marks = ["error", "warning", "info"].flatMap((s) => [...(CSS.highlights.get(`gd-line-${s}`) ?? [])]);
    return {
      checked: root.dataset.gdChecked ?? null,
      nextIsBox: root.nextElementSibling?.classList.contains("gd-embed") ?? false,
      boxesInside: root.querySelectorAll(".gd-embed").length,
      marksInside: marks.filter((r) => root.contains(r.commonAncestorContainer)).length,
    };
  });
}

for (const [name, dir] of Object.entries(SITES)) {
  test(`${name}: the founding block shows its findings with the right lines marked, the clean block none`, async () => {
    await onSite(dir, async (page) => {
      const [founding, clean, ...rest] = await embedState(page);
      assert.equal(rest.length, 0, "two YAML blocks on the page");

      // The text as the reader sees it: no line numbers, no copy button, line breaks kept.
      assert.equal(founding.text, FOUNDING);
      assert.equal(clean.text, CLEAN);

      assert.ok(founding.boxAfter, "the findings follow the block");
      assert.ok(founding.findings.some((f) => f.code === "ASM-LB-001" && f.line === 5), JSON.stringify(founding.findings));
      assert.equal(founding.checked, String(founding.findings.length));
      // Each line with a finding is marked, by its worst severity, and the marked range is that line's text.
      const lines = FOUNDING.split("\n");
      const worst = new Map();
      const rank = { info: 1, warning: 2, error: 3 };
      for (const f of await page.locator('[data-testid="embed-finding"]').evaluateAll((els) => els.map((e) => ({ line: Number(e.dataset.line), severity: e.querySelector(".gd-badge").textContent })))) {
        if ((rank[f.severity] ?? 0) > (rank[worst.get(f.line)] ?? 0)) worst.set(f.line, f.severity);
      }
      assert.equal(founding.lines, [...worst].sort(([a], [b]) => a - b).map(([l, s]) => `${l}:${s}`).join(" "));
      for (const severity of ["error", "warning", "info"]) {
        const expected = [...worst].filter(([, s]) => s === severity).map(([l]) => lines[l - 1]).sort();
        assert.deepEqual([...founding[severity]].sort(), expected, `${severity} marks`);
      }
      assert.ok(founding.warning.includes("  externalTrafficPolicy: Local        # → finding ASM-LB-001"), "ASM-LB-001's line is marked");

      assert.ok(clean.boxAfter);
      assert.match(clean.title, /no findings/);
      assert.deepEqual(clean.findings, []);
      assert.equal(clean.checked, "0");
      assert.deepEqual([clean.error, clean.warning, clean.info], [[], [], []]);

      assert.deepEqual(await shellBlock(page), { checked: null, nextIsBox: false, boxesInside: 0, marksInside: 0 }, "the shell block is left alone");
    });
  });
}

test("Docusaurus: the embed waits for React's hydration, which keeps the page and reports nothing", async () => {
  await onSite(SITES["Docusaurus (committed output)"], async (p) => {
    // The embed is done only after hydration (Helmet then moves the attribute on from "false").
    assert.notEqual(await p.evaluate(() => document.documentElement.dataset.hasHydrated), "false");
    // React hydrated the server's markup (a mismatch would be a console error, which onSite
    // fails on) and left the findings in place, also a moment later.
    await p.waitForFunction(() => document.documentElement.dataset.hasHydrated === "true");
    await p.waitForTimeout(500);
    assert.equal(await p.locator(".gd-embed").count(), 2);
    assert.ok((await embedState(p))[0].findings.some((f) => f.code === "ASM-LB-001"));
  });
});

test("MkDocs Material: a block the page puts in later (instant navigation) is checked, a removed one forgotten, a removed box put back", async () => {
  await onSite(SITES["MkDocs Material"], async (p) => {
    // A findings box that the page's scripts take away comes back, once.
    await p.evaluate(() => {
      window.__checks = 0;
      const box = document.querySelector(".gd-embed");
      new MutationObserver((records) => {
        if (records.some((r) => [...r.addedNodes].some((n) => n.classList?.contains("gd-embed")))) window.__checks++;
      }).observe(document.body, { childList: true, subtree: true });
      document.querySelector("article").append(Object.assign(document.createElement("p"), { textContent: "Another paragraph" }));
      box.remove();
    });
    await p.waitForFunction(() => document.querySelectorAll(".gd-embed").length === 2);
    await p.waitForTimeout(300);
    assert.equal(await p.evaluate(() => window.__checks), 1, "one box put back");

    // As instant navigation does: the article's content replaced by a new page's.
    await p.evaluate(() => {
      const article = document.querySelector("article");
      const founding = article.querySelector("div.language-yaml").cloneNode(true);
      article.replaceChildren(Object.assign(document.createElement("h1"), { textContent: "Another page" }), founding);
    });
    await p.waitForFunction(() => document.querySelectorAll(".gd-embed").length === 1 && document.querySelector("article .gd-embed"));
    const [only, ...rest] = await embedState(p);
    assert.equal(rest.length, 0);
    assert.equal(only.text, FOUNDING);
    assert.ok(only.findings.some((f) => f.code === "ASM-LB-001" && f.line === 5));
    // The removed blocks' marks went with them: every marked range is in the new block.
    assert.equal(
      await p.evaluate(() => ["error", "warning", "info"].flatMap((s) => [...(CSS.highlights.get(`gd-line-${s}`) ?? [])]).every((r) => r.commonAncestorContainer.isConnected)),
      true,
    );
  });
});
