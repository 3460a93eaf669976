import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MinHeap } from './min-heap.js';

function drain<T>(heap: MinHeap<T>): T[] {
  const out: T[] = [];
  for (let item = heap.pop(); item !== undefined; item = heap.pop())
    out.push(item);
  return out;
}

test('min-heap table', () => {
  const cases: { name: string; input: number[] }[] = [
    { name: 'empty', input: [] },
    { name: 'one', input: [4] },
    { name: 'sorted', input: [1, 2, 3, 4, 5] },
    { name: 'reversed', input: [5, 4, 3, 2, 1] },
    { name: 'mixed', input: [7, 1, 9, 3, 8, 2, 6, 0, 5, 4] },
  ];
  for (const c of cases) {
    const heap = new MinHeap<number>((a, b) => a < b, c.input);
    assert.equal(heap.size, c.input.length, c.name);
    assert.equal(
      heap.peek(),
      c.input.length ? Math.min(...c.input) : undefined,
    );
    assert.deepEqual(
      drain(heap),
      [...c.input].sort((a, b) => a - b),
      c.name,
    );
  }
});

test('every pop returns the least item in the heap at that moment', () => {
  let seed = 1;
  const next = (): number => (seed = (seed * 48271) % 2147483647) % 500;
  const heap = new MinHeap<number>((a, b) => a < b);
  const inside: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const value = next();
    heap.push(value);
    inside.push(value);
    if (i % 3 !== 0) continue;
    const least = Math.min(...inside);
    assert.equal(heap.pop(), least);
    inside.splice(inside.indexOf(least), 1);
  }
  assert.equal(heap.size, inside.length);
  assert.deepEqual(
    drain(heap),
    inside.sort((a, b) => a - b),
  );
});
