import { MinHeap } from './min-heap.js';

/** Whom a demand counts against, for fairness and caps. */
export interface Owner {
  projectId: number;
  /** Top-level group (GitLab namespace); null or absent: none. */
  groupId?: number | null;
}

/**
 * VMs already held when a round starts (every live VM, booting or not),
 * per project and per top-level group. An absent map counts as empty, so
 * a caller that knows no groups passes `{ byProject }` alone.
 */
export interface RunningCounts {
  byProject?: ReadonlyMap<number, number>;
  byGroup?: ReadonlyMap<number, number>;
}

/** One project's queue: demand indices in arrival order, and VMs held. */
interface Lane {
  held: number;
  queue: number[];
  next: number;
}

/** One top-level group (or a project without one) and its projects. */
interface Bucket {
  held: number;
  lanes: MinHeap<Lane>;
}

/**
 * Offers every item to `admit` exactly once, in fair order, and counts
 * each item `admit` accepts (returns true) against its project and group
 * for the turns that follow.
 *
 * Why this order: the queue arrives in job-id order, so plain FIFO lets a
 * project that pushed 500 jobs hold the fleet while a project that
 * pushed one job a second later waits for all 500. Instead turns go
 * first to the top-level group, then to the project within it, holding
 * the fewest VMs (running before the round plus admitted so far); ties
 * go to whoever's next job has waited longest, so with nothing running
 * and one job per project the order is plain FIFO, and each project's
 * own jobs always keep their FIFO order. A project without a group takes
 * turns as a group of its own. An item that is not admitted (no room,
 * or a cap) does not count, so a project's large or capped jobs never
 * push its small ones back; only VMs actually granted do.
 *
 * Deterministic: ranks are (held, index of the next item), unique.
 */
export function visitFairly<T extends Owner>(
  items: readonly T[],
  running: RunningCounts,
  admit: (item: T, index: number) => boolean,
): void {
  const buckets = new MinHeap(bucketFirst, buildBuckets(items, running));

  for (let bucket = buckets.pop(); bucket; bucket = buckets.pop()) {
    const lane = bucket.lanes.pop()!;
    const index = lane.queue[lane.next++]!;
    if (admit(items[index]!, index)) {
      lane.held++;
      bucket.held++;
    }

    if (lane.next < lane.queue.length) bucket.lanes.push(lane);
    if (bucket.lanes.size > 0) buckets.push(bucket);
  }
}

/**
 * The order `visitFairly` takes when every item is admitted: where each
 * queued job stands if all of them find room. Pure; inputs unchanged.
 */
export function fairOrder<T extends Owner>(
  items: readonly T[],
  running: RunningCounts = {},
): T[] {
  const order: T[] = [];
  visitFairly(items, running, (item) => {
    order.push(item);
    return true;
  });
  return order;
}

/**
 * Groups items into lanes by project and lanes into buckets by group.
 * A project's bucket comes from its first item: a project is expected
 * to carry one group id throughout a round.
 */
function buildBuckets(
  items: readonly Owner[],
  running: RunningCounts,
): Bucket[] {
  const lanes = new Map<number, Lane>();
  const buckets = new Map<string, { held: number; lanes: Lane[] }>();

  items.forEach((item, index) => {
    let lane = lanes.get(item.projectId);
    if (!lane) {
      const held = heldBy(running.byProject, item.projectId);
      lane = { held, queue: [], next: 0 };
      lanes.set(item.projectId, lane);
      bucketFor(buckets, item, lane.held, running).lanes.push(lane);
    }
    lane.queue.push(index);
  });

  return [...buckets.values()].map((b) => ({
    held: b.held,
    lanes: new MinHeap(laneFirst, b.lanes),
  }));
}

function bucketFor(
  buckets: Map<string, { held: number; lanes: Lane[] }>,
  item: Owner,
  projectHeld: number,
  running: RunningCounts,
): { held: number; lanes: Lane[] } {
  // Project and group ids are separate id spaces in GitLab: keep the
  // keys apart so project 7 and group 7 are never merged.
  const grouped = item.groupId != null;
  const key = grouped ? `g${item.groupId}` : `p${item.projectId}`;
  let bucket = buckets.get(key);
  if (!bucket) {
    const held = grouped ? heldBy(running.byGroup, item.groupId!) : projectHeld;
    bucket = { held, lanes: [] };
    buckets.set(key, bucket);
  }
  return bucket;
}

function heldBy(
  counts: ReadonlyMap<number, number> | undefined,
  id: number,
): number {
  return counts?.get(id) ?? 0;
}

function head(lane: Lane): number {
  return lane.queue[lane.next]!;
}

function laneFirst(a: Lane, b: Lane): boolean {
  if (a.held !== b.held) return a.held < b.held;
  return head(a) < head(b);
}

function bucketFirst(a: Bucket, b: Bucket): boolean {
  if (a.held !== b.held) return a.held < b.held;
  return head(a.lanes.peek()!) < head(b.lanes.peek()!);
}
