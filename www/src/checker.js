// The page's side of the worker: promises, and only the newest check runs
// when checks pile up while the user types.

export class Checker {
  constructor(url) {
    this.worker = new Worker(url, { type: "module" });
    this.next = 1;
    this.waiting = new Map();
    this.worker.onmessage = ({ data }) => {
      const pending = this.waiting.get(data.id);
      if (!pending) return;
      this.waiting.delete(data.id);
      if (data.error !== undefined) pending.reject(new Error(data.error));
      else pending.resolve(data.result);
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
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ id, op, args });
    });
  }

  /** Checks `text`; resolves to null when a newer check superseded this one. */
  check(text, options) {
    if (this.queued) this.queued.resolve(null);
    return new Promise((resolve, reject) => {
      this.queued = { text, options, resolve, reject };
      this.#pump();
    });
  }

  #pump() {
    if (this.running || !this.queued) return;
    const job = this.queued;
    this.queued = null;
    this.running = this.call("check", job.text, job.options)
      .then(job.resolve, job.reject)
      .finally(() => {
        this.running = null;
        this.#pump();
      });
  }
}
