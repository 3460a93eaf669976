import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CleanupStack } from '../../src/lib/cleanup.js';
import { silentLogger } from '../../src/lib/logger.js';
import { run } from '../../src/lib/process.js';
import {
  fakeHostAndInternet,
  HOST,
  INTERNET,
  RESOLVER,
} from '../../src/network/fake-internet.js';
import { ECHO_PORT, testId } from '../../src/network/testing.js';
import { removeUplink } from '../../src/network/uplink.js';
import { cannotBootVms, eventually, leftovers, startLab } from './lab.js';
import type { Lab } from './lab.js';

const skip = await cannotBootVms();
const log = silentLogger();

// The echo servers answer with the address they saw, no HTTP: curl
// takes that as HTTP/0.9. `|| echo` keeps going so one trace shows all.
const JOB = `
fetch:
  tags: [firelab]
  script:
    - 'echo "internet saw: $(curl -sS --http0.9 -m 10 http://${INTERNET}:${ECHO_PORT}/)"'
    - 'echo "by name saw: $(curl -sS --http0.9 -m 10 http://mirror.test:${ECHO_PORT}/)"'
    - 'curl -sS --http0.9 -m 3 http://${HOST}:${ECHO_PORT}/ && echo "host reached" || echo "host closed"'
`;

describe('egress nat with a real VM', { skip, timeout: 10 * 60_000 }, () => {
  const stack = new CleanupStack();
  let lab: Lab;
  let uplink: string;
  let hostNetns: string;

  before(async () => {
    const id = testId();
    uplink = `flt-u-${id}`;
    ({ hostNetns } = await fakeHostAndInternet(id, stack, {
      'mirror.test': INTERNET,
    }));
    stack.push('remove uplink', () =>
      removeUplink({ netns: uplink, hostNetns, log }),
    );
    lab = await startLab({
      egress: {
        mode: 'nat',
        uplinkNetns: uplink,
        hostNetns,
        nameservers: [RESOLVER],
      },
    });
  });
  after(async () => {
    await lab?.close();
    await stack.run(log);
  });

  test('a job downloads through the host by name; the host stays closed', async () => {
    const pipelineId = await lab.push(JOB);
    const job = await eventually(() => {
      const [fetch] = lab.sim.admin.jobs({ pipelineId });
      return fetch && ['success', 'failed'].includes(fetch.status)
        ? fetch
        : undefined;
    }, 'the job to finish');
    const trace = job.trace.toString();
    assert.equal(job.status, 'success', trace);
    // The internet sees the host's address, never the VM's.
    assert.match(trace, new RegExp(`internet saw: ${HOST}`));
    assert.match(trace, new RegExp(`by name saw: ${HOST}`));
    // Whole lines: the echoed command holds both words too.
    assert.match(trace, /^host closed$/m);
    assert.doesNotMatch(trace, /^host reached$/m);

    await eventually(
      async () => (await leftovers(lab)).length === 0,
      'no VM namespace left',
      30_000,
    );
    // The uplink is the host's, shared by VMs to come: it stays.
    const { stdout } = await run('ip', ['netns', 'list']);
    assert.match(stdout, new RegExp(`^${uplink}\\b`, 'm'));
    const links = await run('ip', ['-n', uplink, '-o', 'link']);
    assert.doesNotMatch(links.stdout, /flv/, 'no VM link left in the uplink');
  });
});
