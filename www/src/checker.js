// The page's side of the worker: promises, and at most one check waiting
// behind the running one. A newer check replaces the waiting one (which then
// resolves to null, never run), so edits made while a large input is checked
// coalesce by the worker being busy, not by a timer.
import { nextTask } from "./tasks.js";

export class Checker {
  constructor(url) {
    this.worker = new Worker(url, { type: "module" });
    this.next = 1;
    this.waiting = new Map();
    this.worker.onmessage = ({ data }) => {
      const pending = this.waiting.get(data.id);
      if (!pending) return;
      if (data.findings) {
        pending.findings.push(...data.findings);
        return;
      }
      this.waiting.delete(data.id);
      if (data.error !== undefined) pending.reject(new Error(data.error));
      else {
        if (data.result?.report) data.result.report.findings = pending.findings;
        pending.resolve(data.result);
      }
    };
    this.worker.onerror = (event) => {
      for (const pending of this.waiting.values()) pending.reject(new Error(event.message || "the checker failed to start"));
      this.waiting.clear();
    };
    this.running = null;
    this.queued = null;
  }

  call(op, ...args) {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject, findings: [] });
      this.worker.postMessage({ id, op, args });
    });
  }

  /**
   * Checks what `request(superseded)` resolves to ({text, options}; text a string or a Blob
   * of UTF-8) once the worker is free, and resolves to {report, gateways}. Resolves to null when
   * a newer check replaced this one before it started: while waiting, or while `request` was
   * still reading the text (it may stop early then, when `superseded()` says so). With `defer`
   * (a large text), `request` runs in a task of its own, not in the task of the edit.
   */
  check(request, { defer = false } = {}) {
    if (this.queued) this.queued.resolve(null);
    return new Promise((resolve, reject) => {
      this.queued = { request, defer, resolve, reject };
      this.#pump();
    });
  }

  #pump() {
    if (this.running || !this.queued) return;
    const job = this.queued;
    this.queued = null;
    const superseded = () => this.queued !== null;
    // A large text is read in a task of its own, not added to the task of the edit.
    const free = job.defer ? new Promise((ok) => nextTask(ok)) : Promise.resolve();
    this.running = free
      .then(() => job.request(superseded))
      .then((input) => (superseded() ? job.resolve(null) : this.call("page", input.text, input.options).then(job.resolve)))
      .catch(job.reject)
      .finally(() => {
        this.running = null;
        this.#pump();
      });
  }
}
