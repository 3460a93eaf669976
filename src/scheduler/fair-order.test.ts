import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fairOrder, visitFairly } from './fair-order.js';
import type { RunningCounts } from './fair-order.js';

interface Item {
  id: string;
  projectId: number;
  groupId?: number | null;
}

/** Items from `p1:a p1:b g7/p2:c`: project, optional group, then a name. */
function items(spec: string): Item[] {
  return spec.split(' ').map((word) => {
    const [owner, id] = word.split(':') as [string, string];
    const [group, project] = owner.includes('/')
      ? owner.split('/')
      : [null, owner];
    return {
      id,
      projectId: Number(project!.slice(1)),
      groupId: group === null ? null : Number(group!.slice(1)),
    };
  });
}

test('fair order table', () => {
  const cases: {
    name: string;
    items: string;
    running?: RunningCounts;
    order: string;
  }[] = [
    {
      name: 'one project: its own FIFO order',
      items: 'p1:a p1:b p1:c',
      order: 'a b c',
    },
    {
      name: 'one job per project, nothing running: FIFO',
      items: 'p3:a p1:b p2:c',
      order: 'a b c',
    },
    {
      name: 'a long queue takes turns with a later short one',
      items: 'p1:a1 p1:a2 p1:a3 p1:a4 p2:b1',
      order: 'a1 b1 a2 a3 a4',
    },
    {
      name: 'round robin over uneven queues',
      items: 'p1:a1 p1:a2 p1:a3 p2:b1 p2:b2 p3:c1',
      order: 'a1 b1 c1 a2 b2 a3',
    },
    {
      name: 'fewest running first, then round robin',
      items: 'p1:a1 p1:a2 p2:b1 p2:b2 p2:b3',
      running: { byProject: new Map([[1, 2]]) },
      order: 'b1 b2 a1 b3 a2',
    },
    {
      name: 'groups take turns first, projects within them next',
      items: 'g9/p1:a1 g9/p1:a2 g9/p2:b1 g9/p2:b2 p3:c1 p3:c2',
      order: 'a1 c1 b1 c2 a2 b2',
    },
    {
      name: 'fewest running per group first',
      items: 'g9/p1:a1 g9/p1:a2 g8/p2:b1 g8/p2:b2',
      running: { byGroup: new Map([[9, 1]]) },
      order: 'b1 a1 b2 a2',
    },
    {
      name: 'project 7 and group 7 are different owners',
      items: 'p7:a1 p7:a2 g7/p1:b1 g7/p1:b2',
      order: 'a1 b1 a2 b2',
    },
    {
      name: 'a project without a group counts its own running VMs',
      items: 'p1:a1 g9/p2:b1',
      running: { byProject: new Map([[1, 1]]) },
      order: 'b1 a1',
    },
  ];
  for (const c of cases) {
    const order = fairOrder(items(c.items), c.running).map((i) => i.id);
    assert.deepEqual(order, c.order.split(' '), c.name);
  }
});

test('every item is offered exactly once, with its own index', () => {
  const list = items('p1:a g2/p2:b p1:c p3:d g2/p4:e');
  const seen: number[] = [];
  visitFairly(list, {}, (item, index) => {
    assert.equal(item, list[index]);
    seen.push(index);
    return index % 2 === 0;
  });
  assert.deepEqual(
    seen.sort((a, b) => a - b),
    [0, 1, 2, 3, 4],
  );
});

test('only admitted items count against their project', () => {
  // p1's first two are refused (no room for them), so p1 still holds
  // nothing and its third goes before p2's second.
  const list = items('p1:big1 p1:big2 p1:small p2:b1 p2:b2');
  const order: string[] = [];
  visitFairly(list, {}, (item) => {
    order.push(item.id);
    return !item.id.startsWith('big');
  });
  assert.deepEqual(order, ['big1', 'big2', 'small', 'b1', 'b2']);
});

test('does not change its inputs', () => {
  const list = items('p1:a p2:b');
  const before = structuredClone(list);
  fairOrder(list, { byProject: new Map([[1, 3]]) });
  assert.deepEqual(list, before);
});
