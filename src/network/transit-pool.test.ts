import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TransitPool } from './transit-pool.js';

test('transit pool: lowest free /30 first, reused after release', () => {
  const pool = new TransitPool('10.200.0.0/28');
  assert.equal(pool.capacity, 4);
  assert.equal(pool.take('a'), '10.200.0.0/30');
  assert.equal(pool.take('b'), '10.200.0.4/30');
  assert.equal(pool.take('c'), '10.200.0.8/30');
  assert.equal(pool.take('b'), '10.200.0.4/30', 'same VM, same link');
  pool.release('b');
  assert.equal(pool.take('d'), '10.200.0.4/30');
  assert.equal(pool.take('e'), '10.200.0.12/30');
});

test('transit pool: full says which setting to widen', () => {
  const pool = new TransitPool('10.200.0.0/30');
  pool.take('a');
  assert.throws(
    () => pool.take('b'),
    /full \(1 VMs\): widen agent\.egress\.transitPool/,
  );
  pool.release('a');
  assert.equal(pool.take('b'), '10.200.0.0/30');
});

test('transit pool: host bits ignored, too small refused', () => {
  assert.equal(new TransitPool('10.200.1.77/24').take('a'), '10.200.1.0/30');
  assert.throws(() => new TransitPool('10.200.0.0/31'), /smaller than a \/30/);
  assert.throws(() => new TransitPool('10.200.0.0'), /invalid IPv4 CIDR/);
});
