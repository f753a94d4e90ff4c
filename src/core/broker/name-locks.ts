/**
 * Serialises the operations on one name. Creating a queue or topic checks the name is free,
 * then awaits the catalogue save and the opening of its logs; without this, a second declare
 * of the same new name arriving in between passed the check too and opened a second object
 * over the same files, and the two overwrote each other's acknowledged appends. Operations on
 * different names still run concurrently.
 */
export class NameLocks {
  /** The tail of each name's chain; removed when the chain runs dry, so the map stays small. */
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `fn` once every earlier operation on `key` has settled; resolves with its result. */
  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key);
    const result = previous === undefined ? start(fn) : previous.then(fn);
    const tail = result.then(noop, noop);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /**
   * Resolves once no operation is running or waiting, those queued meanwhile included (a close
   * must not return while a queue's deletion is still removing its files).
   */
  async idle(): Promise<void> {
    while (this.tails.size > 0) await Promise.all(this.tails.values());
  }

  /** Whether an operation on `key` is running or waiting. */
  busy(key: string): boolean {
    return this.tails.has(key);
  }
}

function noop(): void {}

/** Runs `fn` now; a synchronous throw becomes a rejection, so the chain is never left broken. */
function start<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return fn();
  } catch (e) {
    return Promise.reject(e);
  }
}
