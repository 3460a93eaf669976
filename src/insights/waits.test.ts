import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DAY, demand, MIN, records, T0, vm } from './testing/records.js';
import { waitsIn } from './waits.js';

describe('waits', () => {
  test('none in an empty window', () => {
    const waits = waitsIn(records(), DAY);
    assert.equal(waits.start.count, 0);
    assert.equal(waits.start.p95, null);
    assert.equal(waits.notStarted, 0);
  });

  test('from the demand to placement, to the job starting, and boots', () => {
    const at = T0 + 60 * MIN;
    const waits = waitsIn(
      records({
        demands: [
          demand({ jobId: 1, createdAt: at }),
          demand({ jobId: 2, createdAt: at }),
          demand({ jobId: 3, createdAt: at, status: 'queued' }),
        ],
        vms: [
          vm({
            demandJobId: 1,
            createdAt: at + 2_000,
            bootedAt: at + 6_000,
            jobStartedAt: at + 9_000,
          }),
          vm({
            demandJobId: 2,
            createdAt: at + 40_000,
            bootedAt: at + 48_000,
            jobStartedAt: at + 50_000,
          }),
        ],
      }),
      DAY,
    );
    assert.deepEqual(waits.placement, { count: 2, p50: 2, p95: 40, max: 40 });
    assert.deepEqual(waits.start, { count: 2, p50: 9, p95: 50, max: 50 });
    // Made → its runner took the job: 7 s and 10 s.
    assert.deepEqual(waits.boot, { count: 2, p50: 7, p95: 10, max: 10 });
    assert.equal(waits.notStarted, 1);
  });

  test('a job taken by a VM made for another job waited only until then', () => {
    const waits = waitsIn(
      records({
        demands: [demand({ jobId: 2, createdAt: T0 + 60 * MIN })],
        vms: [
          vm({
            demandJobId: 2,
            tookJobId: 2,
            createdAt: T0 + 59 * MIN,
            jobStartedAt: T0 + 60 * MIN + 3_000,
          }),
        ],
      }),
      DAY,
    );
    assert.equal(waits.placement.p50, 0);
    assert.equal(waits.start.p50, 3);
  });

  test('a retry after a boot failure waits from its first VM', () => {
    const waits = waitsIn(
      records({
        demands: [demand({ jobId: 1, createdAt: T0 })],
        vms: [
          vm({
            id: 'first',
            createdAt: T0 + 1_000,
            bootedAt: null,
            jobStartedAt: null,
            tookJobId: null,
          }),
          vm({
            id: 'second',
            createdAt: T0 + 30_000,
            jobStartedAt: T0 + 45_000,
          }),
        ],
      }),
      DAY,
    );
    assert.equal(waits.placement.p50, 1);
    assert.equal(waits.start.p50, 45);
    assert.equal(waits.boot.count, 1);
  });

  test('jobs recorded before the window are not counted', () => {
    const waits = waitsIn(
      records({
        demands: [demand({ jobId: 1, createdAt: T0 - MIN })],
        vms: [vm({ createdAt: T0 - MIN / 2 })],
      }),
      DAY,
    );
    assert.equal(waits.start.count, 0);
    assert.equal(waits.boot.count, 0);
  });
});
