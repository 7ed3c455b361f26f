// Yielding to the page between slices of work.

/** Runs `fn` in a task of its own (a message to ourselves: no timer clamping). */
export function nextTask(fn) {
  const channel = new MessageChannel();
  channel.port1.onmessage = () => {
    channel.port1.close();
    fn();
  };
  channel.port2.postMessage(null);
}
