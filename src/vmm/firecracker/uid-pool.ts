/**
 * Hands out per-VM uid/gid slots, so that no two jailed VMs share an
 * identity (reference §3, prod-host-setup: "ideally unique per VM").
 * `take` returns the lowest free slot's id (`base + slot`) and throws
 * when all `size` are in use; `release` frees it.
 */
export class UidPool {
  readonly #base: number;
  readonly #size: number;
  #used = new Set<number>();

  constructor(base: number, size: number) {
    this.#base = base;
    this.#size = size;
  }

  take(): number {
    for (let slot = 0; slot < this.#size; slot++) {
      if (!this.#used.has(slot)) {
        this.#used.add(slot);
        return this.#base + slot;
      }
    }
    throw new Error(`all ${this.#size} jail uids are in use`);
  }

  release(uid: number): void {
    this.#used.delete(uid - this.#base);
  }
}
