/**
 * The bounded wait behind close-ok: resolves once every promise has settled (they never
 * reject), or after `timeoutMs`, whichever comes first. A store that stalls (a hung disk) must
 * not keep a client's close unanswered forever; one that fails has settled, so it does not.
 */
export function settledWithin(pending: readonly Promise<void>[], timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    // Only a reply is waited for: the socket, not this timer, keeps the process alive.
    timer.unref();
    void Promise.all(pending).then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
