import assert from 'node:assert/strict';
import { test } from 'node:test';
import { guestMetadata } from './guest-metadata.js';

const input = {
  vmId: 'vm-7',
  gitlabUrl: 'http://10.0.0.1:8080',
  runnerToken: 'glrt-abc',
  waitTimeoutSeconds: 60,
  jobTimeoutSeconds: 3600,
};

const cases: [
  string,
  Partial<typeof input> & { hosts?: string[]; nameservers?: string[] },
  Record<string, string>,
][] = [
  [
    'basic',
    {},
    {
      vm_id: 'vm-7',
      wait_timeout: '60',
      job_timeout: '3600',
      hosts: '',
      nameservers: '',
    },
  ],
  [
    'nameservers, space-separated',
    { nameservers: ['192.0.2.53', '198.51.100.53'] },
    { nameservers: '192.0.2.53 198.51.100.53' },
  ],
  [
    'hosts lines',
    { hosts: ['10.0.0.1 gitlab', '10.0.0.1 registry'] },
    { hosts: '10.0.0.1 gitlab\n10.0.0.1 registry\n' },
  ],
  [
    'fractions floored',
    { waitTimeoutSeconds: 9.7, jobTimeoutSeconds: 0.2 },
    { wait_timeout: '9', job_timeout: '1' },
  ],
  ['negative wait is none', { waitTimeoutSeconds: -5 }, { wait_timeout: '0' }],
];

for (const [name, change, expected] of cases) {
  test(`guestMetadata: ${name}`, () => {
    const doc = guestMetadata({ ...input, ...change });
    for (const [key, value] of Object.entries(expected)) {
      assert.equal(doc.firelab[key], value, key);
    }
    assert.ok(Object.values(doc.firelab).every((v) => typeof v === 'string'));
    assert.equal(doc.firelab.runner_token, 'glrt-abc');
    assert.equal(doc.firelab.gitlab_url, 'http://10.0.0.1:8080');
  });
}
