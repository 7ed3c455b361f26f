// The page in real headless Chromium, served from 127.0.0.1.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { browserPerFile, closeClean, openPage, waitReady, enter, rechecked } from "./harness.mjs";

const FOUNDING = readFileSync(new URL("../data/founding.yaml", import.meta.url), "utf8");
const FOUNDING_MD = readFileSync(new URL("../data/markdown/founding.md", import.meta.url), "utf8");
const browser = browserPerFile();

async function page(options) {
  const opened = await openPage(browser.env, "/www/", options);
  await waitReady(opened.page);
  return opened;
}

function lbFinding(p) {
  // By its code attribute: other findings may mention ASM-LB-001 in their text.
  return p.locator('[data-testid="finding"][data-code="ASM-LB-001"]');
}

test("pasting the founding manifest shows ASM-LB-001 in the list and in the editor", async () => {
  const opened = await page();
  const p = opened.page;
  await enter(p, FOUNDING);
  const finding = lbFinding(p);
  await assert.doesNotReject(finding.waitFor());
  assert.equal(await finding.getAttribute("data-severity"), "warning");
  assert.match(await finding.getByTestId("finding-message").innerText(), /istio-system\/istio-ingressgateway/);
  assert.equal(await finding.getByTestId("finding-location").innerText(), "line 5:26");
  // Inline marker on the line, and the live region announced the result.
  // ASM-HA-042 underlines `spec` too: ASM-LB-001's marker is the one on the value.
  const underlined = p.locator(".cm-lintRange-warning", { hasText: "Local" });
  assert.equal(await underlined.count(), 1);
  assert.equal(await underlined.innerText(), "Local");
  assert.match(await p.getByTestId("announce").innerText(), /^Findings: \d+ errors, [1-9]\d* warnings, \d+ info$/);
  // The explanation and its sources expand.
  await finding.locator("details summary").click();
  assert.match(await finding.locator("details").innerText(), /S6/);
  // The docs come from www/dist/rules.json (the wasm is built without them).
  assert.match(await finding.locator("details .docs").innerText(), /What it does/);
  // Keyboard: the location button moves the caret to the finding.
  await finding.getByTestId("finding-location").focus();
  await p.keyboard.press("Enter");
  assert.equal(await p.evaluate(() => document.activeElement?.id), "editor");
  assert.equal(await p.evaluate(() => document.getElementById("editor").shadowRoot.getSelection().toString()), "Local");
  // The recommended fix is marked.
  const recommended = finding.locator(".fix-option.recommended");
  assert.equal(await recommended.count(), 1);
  assert.match(await recommended.innerText(), /recommended/);
  await closeClean(opened);
});

test("cluster answers change the severity, explain what changed, and redraw the picture", async () => {
  const opened = await page();
  const p = opened.page;
  await enter(p, FOUNDING);
  await rechecked(p, () => p.getByTestId("context-kube-proxy").selectOption("ipvs"));
  await rechecked(p, () => p.getByTestId("context-clients").selectOption("host-network"));
  assert.equal(await lbFinding(p).getAttribute("data-severity"), "error");
  assert.match(await p.getByTestId("context-changes").innerText(), /ASM-LB-001 IstioGateway istio-system\/ingressgateway: warning → error/);
  await p.waitForFunction(() => document.querySelector('[data-testid=picture] g.no-gateway')?.dataset.verdict === "bad");
  assert.equal(await p.locator('[data-testid=picture] g.has-gateway[data-verdict="ok"]').count(), 2, "two replicas");
  // An editable node count: six nodes, four of them without a gateway pod.
  await p.getByTestId("picture-nodes").fill("6");
  assert.equal(await p.locator('[data-testid=picture] g.no-gateway[data-verdict="bad"]').count(), 4);

  await rechecked(p, () => p.getByTestId("context-clients").selectOption("none"));
  assert.equal(await lbFinding(p).getAttribute("data-severity"), "info");
  assert.match(await p.getByTestId("context-changes").innerText(), /error → info/);
  await rechecked(p, () => p.getByTestId("context-source-ip").selectOption("true"));
  await rechecked(p, () => p.getByTestId("context-cni").selectOption("flannel"));
  await closeClean(opened);
});

test("each fix shows its diff, and the download is the whole corrected manifest", async () => {
  const opened = await page();
  const p = opened.page;
  await enter(p, FOUNDING);
  // Every option of the founding finding, in the report's order, and which can be chosen: all of
  // them (none is `unavailable`; an advice option is chosen to show that it changes nothing).
  const options = await lbFinding(p)
    .getByTestId("fix-option")
    .evaluateAll((els) => els.map((e) => ({ id: e.dataset.fixId, enabled: !e.querySelector("input").disabled })));
  assert.deepEqual(options, [
    { id: "use-service-dns", enabled: true },
    { id: "set-cluster-policy", enabled: true },
    { id: "eni-passthrough", enabled: true },
    { id: "lb-hostname", enabled: true },
    { id: "use-nlb", enabled: true },
  ]);
  for (const { id } of options) {
    const option = lbFinding(p).locator(`[data-testid=fix-option][data-fix-id="${id}"]`);
    await option.locator("input").check();
    await p.waitForFunction((fix) => document.getElementById("fix-section").dataset.fix === fix && !document.getElementById("fix-section").hidden, id);
    const output = await p.getByTestId("fixed-output").textContent();
    const diff = await p.getByTestId("fix-diff").innerText();
    const [download] = await Promise.all([p.waitForEvent("download"), p.getByTestId("download").click()]);
    const downloaded = readFileSync(await download.path(), "utf8");
    assert.equal(downloaded, output, `${id}: the download is the corrected manifest`);
    assert.equal(download.suggestedFilename(), "manifest.fixed.yaml");
    // textContent: the card may be scrolled out of view, where content-visibility skips its rendering.
    const kind = (await option.locator(".applicability").textContent()).trim();
    if (id === "set-cluster-policy") {
      assert.equal(kind, "(changes behaviour)", id);
      assert.equal(output, FOUNDING.replace("externalTrafficPolicy: Local", "externalTrafficPolicy: Cluster"));
      assert.match(diff, /^- +5 │ +externalTrafficPolicy: Local/m);
      assert.match(diff, /^\+ +5 │ +externalTrafficPolicy: Cluster/m);
    } else if (id === "eni-passthrough") {
      assert.equal(kind, "(changes behaviour)", id);
      assert.match(output, /externalTrafficPolicy: Cluster/);
      assert.match(output, /service\.beta\.kubernetes\.io\/backend-type: "eni"/);
      assert.match(diff, /^\+.*backend-type: "eni"/m);
      // Every comment survives.
      for (const comment of FOUNDING.match(/#.*$/gm)) assert.ok(output.includes(comment), comment);
    } else {
      assert.equal(kind, "(advice: no manifest change)", id);
      assert.equal(output, FOUNDING, `${id} changes nothing`);
      assert.match(diff, /no change/);
    }
  }
  await closeClean(opened);
});

test("uploading several files opens each in a tab, Markdown included", async () => {
  const dir = mkdtempSync(join(tmpdir(), "gd-upload-"));
  const yamlFile = join(dir, "gateway.yaml");
  const mdFile = join(dir, "faq.md");
  writeFileSync(yamlFile, FOUNDING);
  writeFileSync(mdFile, FOUNDING_MD.replace("externalTrafficPolicy: Cluster", "externalTrafficPolicy: Local"));
  const opened = await page();
  const p = opened.page;
  await rechecked(p, () => p.getByTestId("upload").setInputFiles([yamlFile, mdFile]));
  const tabs = p.getByTestId("file-tab");
  assert.deepEqual(await tabs.allInnerTexts(), ["gateway.yaml", "faq.md"]);
  assert.equal(await lbFinding(p).getByTestId("finding-location").innerText(), "line 5:26");
  await rechecked(p, () => tabs.nth(1).click());
  const line = FOUNDING_MD.split("\n").findIndex((l) => l.includes("  externalTrafficPolicy: Cluster")) + 1;
  assert.equal(await lbFinding(p).getByTestId("finding-location").innerText(), `line ${line}:30`);
  assert.equal(await p.locator('[data-testid=diagnostic][data-kind="elision"]').count(), 3);

  // Drag and drop onto the editor.
  await rechecked(p, () =>
    p.evaluate((text) => {
      const data = new DataTransfer();
      data.items.add(new File([text], "dropped.yaml", { type: "text/yaml" }));
      const target = document.getElementById("editor");
      target.dispatchEvent(new DragEvent("dragover", { dataTransfer: data, bubbles: true, cancelable: true }));
      target.dispatchEvent(new DragEvent("drop", { dataTransfer: data, bubbles: true, cancelable: true }));
    }, FOUNDING.replace("ingressgateway", "dropped")),
  );
  assert.deepEqual(await tabs.allInnerTexts(), ["gateway.yaml", "faq.md", "dropped.yaml"]);
  assert.match(await lbFinding(p).innerText(), /istio-system\/istio-dropped/);
  await closeClean(opened);
});

test("names, annotations and port names from the YAML stay text", async () => {
  const manifest = `apiVersion: v1
kind: Service
metadata:
  name: "<img src=x onerror=window.__xss=1>"
  namespace: "<script>window.__xss=2</script>"
  annotations:
    note: "<img src=x onerror=window.__xss=3><script>window.__xss=4</script>"
spec:
  type: LoadBalancer
  externalTrafficPolicy: Local
  ports:
    - name: "<img src=x onerror=window.__xss=5>"
      port: 80
`;
  const opened = await page();
  const p = opened.page;
  await enter(p, manifest);
  const finding = lbFinding(p);
  await finding.waitFor();
  assert.match(await finding.getByTestId("finding-message").innerText(), /<script>window\.__xss=2<\/script>\/<img src=x onerror=window\.__xss=1>/);
  await finding.locator("input[type=radio]").nth(1).check();
  await p.waitForSelector("#fix-section:not([hidden])");
  await p.waitForTimeout(200);
  assert.equal(await p.evaluate(() => window.__xss), undefined);
  assert.equal(await p.locator("main img, main script, #editor img").count(), 0);
  assert.equal(await p.evaluate(() => document.getElementById("editor").shadowRoot.querySelectorAll("img, script").length), 0);
  assert.match(await p.getByTestId("fixed-output").textContent(), /<img src=x onerror=/);
  await closeClean(opened);
});

test("Chinese by browser language, switchable to English", async () => {
  const opened = await page({ locale: "zh-CN" });
  const p = opened.page;
  assert.equal(await p.getByTestId("lang").inputValue(), "zh");
  assert.equal(await p.locator("#findings-heading").innerText(), "检查结果");
  await enter(p, FOUNDING);
  assert.match(await lbFinding(p).getByTestId("finding-message").innerText(), /没有网关 Pod 的节点/);
  assert.match(await lbFinding(p).locator(".rec").innerText(), /推荐/);
  await rechecked(p, () => p.getByTestId("lang").selectOption("en"));
  assert.match(await lbFinding(p).getByTestId("finding-message").innerText(), /pods on nodes without a gateway pod/);
  assert.equal(await p.locator("#findings-heading").innerText(), "Findings");
  await closeClean(opened);
});

test("the state lives in the URL fragment and comes back from it", async () => {
  const opened = await page();
  const p = opened.page;
  await enter(p, FOUNDING);
  await rechecked(p, () => p.getByTestId("context-kube-proxy").selectOption("ipvs"));
  await p.locator("#share").click();
  await p.waitForFunction(() => location.hash.startsWith("#s="));
  const url = p.url();
  assert.ok(!url.includes("externalTrafficPolicy"), "compressed, not plain text");
  const again = await openPage(browser.env, url.slice(browser.env.origin.length));
  await waitReady(again.page);
  await again.page.waitForFunction(() => performance.getEntriesByName("gd:findings-rendered").length > 0);
  assert.equal(await again.page.getByTestId("context-kube-proxy").inputValue(), "ipvs");
  assert.equal(await lbFinding(again.page).count(), 1);
  assert.ok(browser.env.requests.every((r) => !r.includes("#")), "the fragment is never requested");
  await closeClean(again);
  await closeClean(opened);
});

test("the embed script annotates the YAML blocks of a docs page", async () => {
  const opened = await openPage(browser.env, "/www/docs-sample.html");
  const p = opened.page;
  await p.waitForFunction(() => document.documentElement.dataset.gdEmbed === "done");
  const blocks = p.locator("pre");
  const first = p.locator(".gd-embed").first();
  const lb = first.locator('[data-testid="embed-finding"][data-code="ASM-LB-001"]');
  assert.equal(await lb.count(), 1);
  assert.equal(await lb.getAttribute("data-line"), "8");
  assert.match(await lb.innerText(), /没有网关 Pod/, "the page is Chinese, so are the messages");
  // The warning lines: ASM-HA-042 at `spec:` and ASM-LB-001 at the policy, marked through
  // the CSS Custom Highlight API (the block's markup is left as it was).
  const warned = await p.evaluate(() => [...CSS.highlights.get("gd-line-warning")].filter((r) => document.querySelector("pre").contains(r.commonAncestorContainer)).map((r) => r.toString()));
  assert.deepEqual(warned, ["spec:", "  externalTrafficPolicy: Local"]);
  assert.equal(await blocks.nth(0).getAttribute("data-gd-lines"), "7:warning 8:warning");
  assert.equal(await blocks.nth(0).locator("code").evaluate((code) => code.children.length), 0, "the block's markup is untouched");
  // The second block says Cluster: no ASM-LB-001, and its `....` lines are no syntax error.
  assert.equal(await p.locator('pre:nth-of-type(2) + .gd-embed [data-testid="embed-finding"][data-code="ASM-LB-001"]').count(), 0);
  assert.equal(await blocks.nth(1).getAttribute("data-gd-checked") !== null, true);
  assert.equal(await blocks.nth(2).getAttribute("data-gd-checked"), null, "a shell block is left alone");
  await closeClean(opened);
});

test("the field tables load beside the wasm: a misspelt field is found, with its rename", async () => {
  const opened = await page();
  const p = opened.page;
  await enter(p, FOUNDING.replace("externalTrafficPolicy:", "externalTrafficPolicey:"));
  const finding = p.locator('[data-testid="finding"][data-code="ASM-CR-046"]');
  await assert.doesNotReject(finding.waitFor());
  assert.equal(await finding.getAttribute("data-severity"), "error");
  assert.match(await finding.getByTestId("finding-message").innerText(), /did you mean externalTrafficPolicy\?/);
  // www/dist/schema.txt was fetched: no report says the tables are missing.
  assert.equal(await p.locator('[data-testid="diagnostic"][data-kind="schema-unavailable"]').count(), 0);
  await closeClean(opened);
});

/**
 * Replaces the editor's text as a user's select-all and paste does. (A second `fill` makes
 * Chromium's editing command write inline styles, which the page's CSP rightly blocks.)
 */
async function pasteOver(p, text) {
  await p.getByTestId("manifest-input").focus();
  await p.keyboard.press("Control+A");
  await p.getByTestId("manifest-input").evaluate((content, text) => {
    const data = new DataTransfer();
    data.setData("text/plain", text);
    content.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
  }, text);
}

test("an unrelated edit keeps a finding's node; a shifted finding keeps its node and moves its line", async () => {
  const opened = await page();
  const p = opened.page;
  await enter(p, FOUNDING);
  const codes = await p.getByTestId("finding").evaluateAll((els) => els.map((e) => e.dataset.code));
  await lbFinding(p).evaluate((el) => (el.__kept = true));
  await rechecked(p, () => pasteOver(p, FOUNDING + "# an unrelated comment\n"));
  assert.equal(await lbFinding(p).evaluate((el) => el.__kept), true, "the same node after an edit elsewhere");
  assert.deepEqual(await p.getByTestId("finding").evaluateAll((els) => els.map((e) => e.dataset.code)), codes);
  // A line above every finding: same nodes, new positions.
  await rechecked(p, () => pasteOver(p, "# a comment first\n" + FOUNDING));
  assert.equal(await lbFinding(p).evaluate((el) => el.__kept), true, "the same node after its line moved");
  assert.equal(await lbFinding(p).getByTestId("finding-location").innerText(), "line 6:26");
  // A change to the finding itself (its severity): a new node.
  await rechecked(p, () => p.getByTestId("context-clients").selectOption("none"));
  assert.equal(await lbFinding(p).getAttribute("data-severity"), "info");
  assert.equal(await lbFinding(p).evaluate((el) => el.__kept), undefined, "a changed finding is rendered anew");
  await closeClean(opened);
});

test("no debounce: a newer edit supersedes the running check, and a waiting one is never sent", async () => {
  const opened = await openPage(browser.env, "/www/");
  const p = opened.page;
  // Records each check sent to the worker, with what the status line says at that moment.
  await p.addInitScript(() => {
    const post = Worker.prototype.postMessage;
    window.__sent = [];
    Worker.prototype.postMessage = function (message, ...rest) {
      if (message?.op === "page") {
        const input = message.args[0];
        window.__sent.push({ length: typeof input === "string" ? input.length : input.size, status: document.getElementById("status").textContent });
        const hook = window.__onSend;
        window.__onSend = null;
        hook?.();
      }
      return post.call(this, message, ...rest);
    };
  });
  await p.reload();
  await waitReady(p);
  // About 600 KB: read in a task after the edit's, and slow enough to check that the edits
  // below land while it runs.
  const big = Array.from({ length: 900 }, (_, i) => FOUNDING.replace("name: ingressgateway", `name: gw-${i}`)).join("---\n");
  const renders = await p.evaluate(async (big) => {
    const content = document.getElementById("editor").shadowRoot.querySelector(".cm-content");
    const paste = (text) => {
      const data = new DataTransfer();
      data.setData("text/plain", text);
      content.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
    };
    content.focus();
    window.__sent = [];
    performance.clearMarks("gd:findings-rendered");
    // Two more edits right after the big text is sent, before the worker can answer: the first
    // waits behind the running check and is replaced by the second before it is sent.
    window.__onSend = () => queueMicrotask(() => {
      paste("# one\n");
      paste("# two\n");
    });
    paste(big);
    const expected = big.length + "# one\n# two\n".length;
    await new Promise((resolve) => {
      const poll = () => (performance.getEntriesByName("gd:findings-rendered").some((m) => m.detail.findings > 0) ? resolve() : setTimeout(poll, 5));
      poll();
    });
    await new Promise((ok) => setTimeout(ok, 300));
    return { marks: performance.getEntriesByName("gd:findings-rendered").map((m) => m.detail), sent: window.__sent, expected };
  }, big);
  assert.deepEqual(renders.sent.map((s) => s.length), [big.length, renders.expected], "the middle edit was never sent");
  assert.match(renders.sent[0].status, /^Checking \d+ KB… \d+\.\d s$/, "progress shows the size and the time");
  assert.equal(renders.marks.length, 1, "only the newest check is rendered");
  // Thousands of findings: the list shows the first 200, and more on request.
  const total = renders.marks[0].findings;
  assert.ok(total > 900, `${total} findings`);
  assert.equal(await p.getByTestId("finding").count(), 200);
  assert.equal(await p.getByTestId("show-more").innerText(), `Showing 200 of ${total} findings: show 200 more`);
  // (Scrolling the button into view for the click may show a page more on its own.)
  await p.getByTestId("show-more").click();
  await p.waitForFunction(() => document.querySelectorAll('[data-testid="finding"]').length >= 400);
  // The picture lists the first 100 of the 900 gateways and says how many more there are.
  assert.equal(await p.locator("#picture-gateway option:not([disabled])").count(), 100);
  assert.equal(await p.locator("#picture-gateway option[disabled]").innerText(), "… and 800 more");
  // The summary counts all of them.
  const [errors, warnings, infos] = (await p.locator("#summary").innerText()).match(/\d+/g).map(Number);
  assert.equal(errors + warnings + infos, total);
  await closeClean(opened);
});

test("a large paste arrives whole, in slices, as one undo step, and is checked once", async () => {
  const opened = await openPage(browser.env, "/www/");
  const p = opened.page;
  // Records the text of each check sent to the worker (a string, or a Blob for a large text).
  await p.addInitScript(() => {
    const post = Worker.prototype.postMessage;
    window.__inputs = [];
    Worker.prototype.postMessage = function (message, ...rest) {
      if (message?.op === "page") window.__inputs.push(message.args[0]);
      return post.call(this, message, ...rest);
    };
  });
  await p.reload();
  await waitReady(p);
  // Over 1 MB, with CRLF line ends and characters outside the BMP that slices must not split.
  const unit = FOUNDING.replace(/\n/g, "\r\n") + "# é 😀 中文\r\n";
  const text = Array.from({ length: 1700 }, (_, i) => unit.replace("name: ingressgateway", `name: gw-${i}`)).join("---\r\n");
  assert.ok(text.length > 1 << 20);
  const inputs = () => p.evaluate(() => Promise.all(window.__inputs.map((x) => (typeof x === "string" ? x : x.text()))));
  await p.evaluate(() => (window.__inputs = []));
  await rechecked(p, () => pasteOver(p, text));
  const sent = await inputs();
  assert.equal(sent.length, 1, "one check, after the last slice");
  // The editor keeps line breaks as \n, as CodeMirror does.
  assert.ok(sent[0] === text.replace(/\r\n/g, "\n"), "the checked text is the pasted text");
  assert.equal(await lbFinding(p).first().getByTestId("finding-location").innerText(), "line 5:26");
  // One undo step takes the whole paste back.
  await rechecked(p, async () => {
    await p.getByTestId("manifest-input").focus();
    await p.keyboard.press("Control+Z");
  });
  assert.deepEqual((await inputs()).slice(1), [""], "the editor is empty again");
  await closeClean(opened);
});

test("a stream of broken documents lists 200 input problems and counts the rest", async () => {
  const opened = await page();
  const p = opened.page;
  await enter(p, Array.from({ length: 300 }, (_, i) => `a${i}: [1\n`).join("---\n"));
  assert.equal(await p.getByTestId("diagnostic").count(), 200);
  assert.equal(await p.getByTestId("more-diagnostics").innerText(), "… and 100 more input problems, marked in the editor");
  await closeClean(opened);
});

test("a click anywhere on a fix card chooses the fix, and so do Space and Enter", async () => {
  const opened = await page();
  const p = opened.page;
  await enter(p, FOUNDING);
  const card = (id) => lbFinding(p).locator(`[data-testid=fix-option][data-fix-id="${id}"]`);
  const chosen = (id) =>
    p.waitForFunction((fix) => document.getElementById("fix-section").dataset.fix === fix && !document.getElementById("fix-section").hidden, id);
  // A trade-off of the card, not its radio button or title.
  await card("set-cluster-policy").locator(".tradeoff").first().click();
  await chosen("set-cluster-policy");
  assert.equal(await card("set-cluster-policy").locator("input").isChecked(), true);
  // The card's padding, right of its text.
  const box = await card("eni-passthrough").boundingBox();
  await p.mouse.click(box.x + box.width - 4, box.y + box.height - 4);
  await chosen("eni-passthrough");
  // Keyboard: Tab from the location button, past the explanation, reaches the fixes.
  await lbFinding(p).getByTestId("finding-location").focus();
  await p.keyboard.press("Tab");
  await p.keyboard.press("Tab");
  assert.equal(await p.evaluate(() => document.activeElement.closest("[data-fix-id]")?.dataset.fixId), "eni-passthrough", "Tab reaches the chosen fix");
  await p.keyboard.press("ArrowDown");
  await chosen("lb-hostname");
  await card("use-service-dns").locator("input").focus();
  await p.keyboard.press("Enter");
  await chosen("use-service-dns");
  await card("use-nlb").locator("input").focus();
  await p.keyboard.press("Space");
  await chosen("use-nlb");
  await closeClean(opened);
});

test("the findings are listed in the report's order", async () => {
  const opened = await page();
  const p = opened.page;
  // Two documents, several findings in each, two at one place (ASM-LB-001 and ASM-HA-011).
  const text = `${FOUNDING}---\n${FOUNDING.replace("name: ingressgateway", "name: second").replace("memory: 2G", "memory: 3G")}`;
  await enter(p, text);
  const listed = await p.getByTestId("finding").evaluateAll((els) =>
    els.map((e) => `${e.dataset.code} ${e.querySelector('[data-testid="finding-location"]').textContent}`),
  );
  // The report itself, from the same wasm in this page.
  const reported = await p.evaluate(async (text) => {
    const api = await import("/pkg/gateway_doctor.js");
    await api.default({ module_or_path: "/pkg/gateway_doctor_bg.wasm" });
    api.loadSchema(await (await fetch("/www/dist/schema.txt")).text());
    return api.check(text, { lang: "en" }).findings.map((f) => `${f.code} line ${f.location.start.line}:${f.location.start.column}`);
  }, text);
  assert.ok(listed.length >= 8, `several findings: ${listed}`);
  assert.deepEqual(listed, reported);
  await closeClean(opened);
});
