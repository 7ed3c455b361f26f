// Loads dist/policy-opa.wasm (from scripts/build-policies) into the real
// @open-policy-agent/opa-wasm host and checks the module keeps the OPA Wasm
// ABI contract. Run: node --test (in this folder). GATEWAY_DOCTOR_OPA_WASM
// points at another build.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadPolicy } from "@open-policy-agent/opa-wasm";

const wasmPath =
  process.env.GATEWAY_DOCTOR_OPA_WASM ??
  fileURLToPath(new URL("../../../dist/policy-opa.wasm", import.meta.url));
const fixtures = new URL("../../kubewarden/test_data/", import.meta.url);
const fixture = (name) => JSON.parse(readFileSync(new URL(name, fixtures), "utf8"));

const FINDINGS = "gateway_doctor/findings";
const VIOLATIONS = "gateway_doctor/violations";

// The founding manifest (tests/data/founding.yaml), and an AdmissionReview carrying it.
const founding = fixture("raw-istiogateway.json");
const review = fixture("istiogateway-local-create.json");
const clean = fixture("service-clean-create.json").request.object;

// Anything the loader or the module prints is a failure: capture it.
const printed = [];
const originals = { error: console.error, warn: console.warn, log: console.log };
let policy;

before(async () => {
  for (const level of Object.keys(originals)) {
    console[level] = (...args) => printed.push(`${level}: ${args.join(" ")}`);
  }
  policy = await loadPolicy(readFileSync(wasmPath));
});

after(() => Object.assign(console, originals));

const resultOf = (input, entrypoint) => {
  const resultSet = policy.evaluate(input, entrypoint);
  assert.equal(resultSet.length, 1, "one result in the result set");
  return resultSet[0].result;
};
const codes = (report) => report.findings.map((f) => f.code);

test("loads with the ABI 1.2 version globals and lists its entrypoints", () => {
  assert.equal(policy.minorVersion, 2);
  const exports = policy.wasmInstance.exports;
  assert.equal(exports.opa_wasm_abi_version.value, 1);
  assert.equal(exports.opa_wasm_abi_minor_version.value, 2);
  assert.deepEqual(policy.entrypoints, { [FINDINGS]: 0, [VIOLATIONS]: 1 });
  assert.equal(policy.mem.buffer.byteLength, 5 * 65536, "fits the default 5-page memory");
});

test("the founding manifest finds ASM-LB-001", () => {
  const report = resultOf(founding, FINDINGS);
  assert.equal(report.version, 2);
  assert.ok(codes(report).includes("ASM-LB-001"));
  const finding = report.findings.find((f) => f.code === "ASM-LB-001");
  assert.equal(finding.severity, "warning");
  assert.equal(finding.location.path, "/spec/externalTrafficPolicy");
  const fix = finding.fixes.find((f) => f.id === "set-cluster-policy");
  assert.deepEqual(fix.patch, [{ op: "replace", path: "/spec/externalTrafficPolicy", value: "Cluster" }]);
});

test("a clean manifest has no findings", () => {
  const report = resultOf(clean, FINDINGS);
  assert.deepEqual(report.findings, []);
  assert.deepEqual(resultOf(clean, VIOLATIONS), []);
});

test("an AdmissionReview and {object, context} give the same findings as the object", () => {
  assert.deepEqual(codes(resultOf(review, FINDINGS)), codes(resultOf(founding, FINDINGS)));
  assert.deepEqual(codes(resultOf({ object: founding, context: {} }, FINDINGS)), codes(resultOf(founding, FINDINGS)));
});

test("context in the input or in data sets the severity; violations follow rejectOn", () => {
  const ipvs = { kubeProxyMode: "ipvs", inClusterClients: "host-network" };
  const report = resultOf({ object: founding, context: ipvs }, FINDINGS);
  assert.equal(report.findings.find((f) => f.code === "ASM-LB-001").severity, "error");
  const violations = resultOf({ object: founding, context: ipvs }, VIOLATIONS);
  const lb = violations.find((v) => v.details.code === "ASM-LB-001");
  assert.match(lb.msg, /^ASM-LB-001: /);
  assert.ok(violations.every((v) => v.details.severity === "error"), "only errors are violations by default");

  // A warning is not a violation by default; rejectOn: warning makes it one.
  assert.deepEqual(resultOf(review, VIOLATIONS), []);
  policy.setData({ context: { rejectOn: "warning" } });
  try {
    const warned = resultOf(review, VIOLATIONS);
    assert.ok(warned.some((v) => v.details.code === "ASM-LB-001"));
    assert.ok(warned.every((v) => ["warning", "error"].includes(v.details.severity)));
  } finally {
    policy.setData({});
  }
});

test("bad input gives a clear error result, never a trap", () => {
  assert.match(resultOf(42, FINDINGS).error, /the input is a number, not an object/);
  assert.match(resultOf({ hello: "world" }, FINDINGS).error, /neither a Kubernetes object/);
  assert.match(resultOf({ object: founding, context: { cni: "weave" } }, FINDINGS).error, /bad context/);
  const notJson = new TextEncoder().encode('{"kind": "Service", oops').buffer;
  assert.match(resultOf(notJson, FINDINGS).error, /the input is not JSON/);
  const violations = resultOf("text", VIOLATIONS);
  assert.match(violations[0].msg, /^gateway-doctor could not check the input/);

  // Nesting deeper than the module's limit is refused before parsing, so it
  // cannot overflow the 64 KiB stack; up to the limit it is checked.
  const nest = (levels) => {
    let value = "x";
    for (let i = 0; i < levels; i++) value = i % 2 ? [value] : { a: value };
    return value;
  };
  assert.match(resultOf({ kind: "Service", apiVersion: "v1", deep: nest(200) }, FINDINGS).error, /nested deeper than 64/);
  assert.match(resultOf({ kind: "Service", apiVersion: "v1", deep: nest(1000) }, FINDINGS).error, /nested deeper/);
  const report = resultOf({ apiVersion: "v1", kind: "Service", metadata: { name: "n" }, spec: { x: nest(61) } }, FINDINGS);
  assert.ok(Array.isArray(report.findings), "64 levels are checked");

  // The instance still evaluates normally afterwards.
  assert.ok(codes(resultOf(founding, FINDINGS)).includes("ASM-LB-001"));
});

test("memory stays flat over 10,000 evaluations", () => {
  resultOf(review, FINDINGS);
  const pages = policy.mem.buffer.byteLength;
  const heap = policy.wasmInstance.exports.opa_heap_ptr_get();
  for (let i = 0; i < 10_000; i++) {
    policy.evaluate(i % 2 ? review : founding, i % 3 ? FINDINGS : VIOLATIONS);
  }
  assert.equal(policy.mem.buffer.byteLength, pages, "no memory growth");
  resultOf(review, FINDINGS);
  assert.equal(policy.wasmInstance.exports.opa_heap_ptr_get(), heap, "the same evaluation ends at the same heap top");
});

test("the pre-1.2 eval-context path (as burrego uses it) gives the same result", () => {
  const e = policy.wasmInstance.exports;
  const mem = policy.mem;
  const load = (value) => {
    const bytes = new TextEncoder().encode(JSON.stringify(value));
    const addr = e.opa_malloc(bytes.length);
    new Uint8Array(mem.buffer).set(bytes, addr);
    const parsed = e.opa_json_parse(addr, bytes.length);
    assert.notEqual(parsed, 0);
    return parsed;
  };
  const dump = (value) => {
    const addr = e.opa_json_dump(value);
    const bytes = new Uint8Array(mem.buffer);
    let end = addr;
    while (bytes[end] !== 0) end++;
    return JSON.parse(new TextDecoder().decode(bytes.subarray(addr, end)));
  };
  const mark = e.opa_heap_ptr_get();
  const ctx = e.opa_eval_ctx_new();
  e.opa_eval_ctx_set_input(ctx, load(review));
  e.opa_eval_ctx_set_data(ctx, load({}));
  e.opa_eval_ctx_set_entrypoint(ctx, 0);
  assert.equal(e.eval(ctx), 0);
  const viaContext = dump(e.opa_eval_ctx_get_result(ctx))[0].result;
  assert.deepEqual(codes(viaContext), codes(resultOf(review, FINDINGS)));

  // opa_value_add_path / remove_path edit a value in place.
  const data = load({ context: {} });
  assert.equal(e.opa_value_add_path(data, load(["context", "cni"]), load("flannel")), 0);
  assert.deepEqual(dump(data), { context: { cni: "flannel" } });
  assert.equal(e.opa_value_remove_path(data, load(["context"])), 0);
  assert.deepEqual(dump(data), {});
  assert.equal(e.opa_json_parse(e.opa_malloc(1), 0), 0, "empty text is not JSON");
  e.opa_heap_ptr_set(mark);
});

test("nothing was printed to the console", () => {
  assert.deepEqual(printed, []);
});
