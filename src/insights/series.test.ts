import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { seriesOf } from './series.js';
import { agent, DAY, demand, MIN, records, T0, vm } from './testing/records.js';
import { HOUR_MS } from './window.js';

describe('time series', () => {
  test('one point per bucket, zeros when empty', () => {
    const points = seriesOf(records(), DAY);
    assert.equal(points.length, 24);
    assert.equal(points[0]?.at, T0);
    assert.equal(points[23]?.at, T0 + 23 * HOUR_MS);
    assert.ok(
      points.every((p) => p.jobsStarted === 0 && p.reservedVcpus === 0),
    );
  });

  test('reserved vCPUs are averaged over each bucket they touch', () => {
    const points = seriesOf(
      records({
        demands: [demand({ createdAt: T0 + 30 * MIN })],
        vms: [
          vm({
            vcpus: 4,
            createdAt: T0 + 30 * MIN,
            jobStartedAt: T0 + 31 * MIN,
            endedAt: T0 + 90 * MIN,
          }),
        ],
      }),
      DAY,
    );
    assert.deepEqual(
      points.slice(0, 3).map((p) => p.reservedVcpus),
      [2, 2, 0],
    );
    assert.equal(points[0]?.jobsQueued, 1);
    assert.equal(points[0]?.jobsStarted, 1);
  });

  test('capacity starts when an agent joins mid-window', () => {
    const points = seriesOf(
      records({
        agents: [
          agent({ id: 'a', vcpus: 8 }),
          agent({ id: 'b', vcpus: 4, firstSeenAt: T0 + 90 * MIN }),
        ],
      }),
      DAY,
    );
    assert.deepEqual(
      points.slice(0, 3).map((p) => p.capacityVcpus),
      [8, 10, 12],
    );
  });

  test('a shorter last bucket is averaged over its own length', () => {
    const window = { ...DAY, to: T0 + 90 * MIN };
    const points = seriesOf(
      records({
        now: window.to,
        vms: [vm({ createdAt: T0 + 60 * MIN, endedAt: null, state: 'busy' })],
      }),
      window,
    );
    assert.equal(points.length, 2);
    assert.equal(points[1]?.reservedVcpus, 2);
  });
});
