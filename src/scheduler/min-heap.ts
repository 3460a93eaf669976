/**
 * A binary min-heap: `pop` returns the item that `before` ranks first.
 * `before` must be a strict total order (no two items tie), so that what
 * comes out does not depend on how the heap happens to be laid out. The
 * fair order keeps one heap of groups and one of projects per group, so
 * choosing the next turn stays cheap with thousands of projects queued.
 */
export class MinHeap<T> {
  readonly #items: T[] = [];
  readonly #before: (a: T, b: T) => boolean;

  constructor(before: (a: T, b: T) => boolean, items: Iterable<T> = []) {
    this.#before = before;
    for (const item of items) this.push(item);
  }

  get size(): number {
    return this.#items.length;
  }

  peek(): T | undefined {
    return this.#items[0];
  }

  push(item: T): void {
    this.#items.push(item);
    this.#siftUp(this.#items.length - 1);
  }

  pop(): T | undefined {
    const top = this.#items[0];
    const last = this.#items.pop();
    if (this.#items.length > 0) {
      this.#items[0] = last!;
      this.#siftDown(0);
    }
    return top;
  }

  #siftUp(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#ranksFirst(i, parent)) return;
      this.#swap(i, parent);
      i = parent;
    }
  }

  #siftDown(i: number): void {
    for (;;) {
      const left = 2 * i + 1;
      let first = i;
      if (left < this.#items.length && this.#ranksFirst(left, first))
        first = left;
      if (left + 1 < this.#items.length && this.#ranksFirst(left + 1, first))
        first = left + 1;
      if (first === i) return;
      this.#swap(i, first);
      i = first;
    }
  }

  #ranksFirst(i: number, j: number): boolean {
    return this.#before(this.#items[i]!, this.#items[j]!);
  }

  #swap(i: number, j: number): void {
    const items = this.#items;
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}
