// Time per evaluation of dist/policy-opa.wasm in the real
// @open-policy-agent/opa-wasm host: 10,000 mixed evaluations on one instance
// (the founding IstioGateway and its AdmissionReview, a clean Service; both
// entrypoints), each timed, reported as p50/p99. Run: node bench.mjs (in this
// folder, after scripts/build-policies). GATEWAY_DOCTOR_OPA_WASM points at
// another build. BENCHMARKS.md, "Policy hosts".
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadPolicy } from "@open-policy-agent/opa-wasm";

const REQUESTS = 10_000;
const WARM_UP = 100;
const wasmPath =
  process.env.GATEWAY_DOCTOR_OPA_WASM ??
  fileURLToPath(new URL("../../../dist/policy-opa.wasm", import.meta.url));
const fixtures = new URL("../../kubewarden/test_data/", import.meta.url);
const fixture = (name) => JSON.parse(readFileSync(new URL(name, fixtures), "utf8"));

const mix = [
  ["founding gateway, findings", fixture("raw-istiogateway.json"), "gateway_doctor/findings"],
  ["founding AdmissionReview, violations", fixture("istiogateway-local-create.json"), "gateway_doctor/violations"],
  ["clean Service, findings", fixture("service-clean-create.json").request.object, "gateway_doctor/findings"],
  ["founding AdmissionReview, findings", fixture("istiogateway-local-create.json"), "gateway_doctor/findings"],
];

const policy = await loadPolicy(readFileSync(wasmPath));
for (let i = 0; i < WARM_UP; i++) policy.evaluate(mix[i % mix.length][1], mix[i % mix.length][2]);

const all = [];
const byKind = mix.map(() => []);
for (let i = 0; i < REQUESTS; i++) {
  const kind = i % mix.length;
  const started = process.hrtime.bigint();
  policy.evaluate(mix[kind][1], mix[kind][2]);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  all.push(ms);
  byKind[kind].push(ms);
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1];
const line = (name, times) => {
  times.sort((a, b) => a - b);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  const f = (ms) => `${ms.toFixed(3)} ms`.padStart(10);
  console.log(
    `${name.padEnd(40)} n=${String(times.length).padStart(5)}  p50 ${f(percentile(times, 50))}  p99 ${f(percentile(times, 99))}  mean ${f(mean)}  max ${f(times[times.length - 1])}`,
  );
};
console.log(`opa-wasm (node ${process.version}), ${wasmPath}: ${REQUESTS} evaluations after ${WARM_UP} warm-up`);
line("all evaluations", all);
mix.forEach(([name], i) => line(name, byKind[i]));
