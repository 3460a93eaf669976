/**
 * Runs async critical sections one at a time, in arrival order. The
 * controller's state changes go through one of these so a webhook and a
 * reconciler pass never interleave their read-decide-write steps.
 */
export class Mutex {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(section: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(section, section);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}
