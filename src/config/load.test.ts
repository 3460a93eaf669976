import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from './load.js';

const minimal = {
  gitlab: {
    url: 'https://gitlab.example.com',
    token: 'glpat-x',
    projects: [3],
  },
  server: { adminToken: 'a'.repeat(32) },
};

test('fills defaults and freezes', () => {
  const config = parseConfig(minimal, 'up', {});
  assert.equal(config.server.listen, '127.0.0.1:8710');
  assert.equal(config.jobs.idleTimeoutSeconds, 300);
  assert.equal(config.agent.hypervisor, 'auto');
  assert.equal(config.agent.firecracker.jailer, true);
  assert.equal(config.agent.egress.mode, 'gitlab-only');
  assert.ok(Object.isFrozen(config.jobs));
});

test('secrets may come from the environment', () => {
  const { token: _t, ...gitlab } = minimal.gitlab;
  const config = parseConfig({ ...minimal, gitlab }, 'up', {
    FIRELAB_GITLAB_TOKEN: 'glpat-env',
  });
  assert.equal(config.gitlab.token, 'glpat-env');
});

test('names the offending option', () => {
  const cases: [unknown, RegExp][] = [
    [
      { ...minimal, gitlab: { ...minimal.gitlab, url: 'ftp://x' } },
      /gitlab\.url/,
    ],
    [{ ...minimal, jobs: { idleTimeout: 5 } }, /jobs: .*idleTimeout/],
    [{ ...minimal, colour: 'blue' }, /colour/],
    [{ ...minimal, server: { adminToken: 'short' } }, /server\.adminToken/],
    [{ ...minimal, agent: { hypervisor: 'vmware' } }, /agent\.hypervisor/],
    [{ server: minimal.server }, /gitlab/],
    [
      { ...minimal, server: { ...minimal.server, listen: '127.0.0.1:99999' } },
      /server\.listen: the port/,
    ],
    [
      { ...minimal, jobs: { defaultMemoryMiB: 9999, maxMemoryMiB: 1024 } },
      /jobs\.defaultMemoryMiB: defaultMemoryMiB is larger/,
    ],
    [
      { ...minimal, jobs: { defaultVcpus: 9, maxVcpus: 4 } },
      /jobs\.defaultVcpus/,
    ],
    [
      { ...minimal, agent: { egress: { mode: 'open' } } },
      /agent\.egress\.mode/,
    ],
    [
      { ...minimal, agent: { egress: { allow: ['10.0.0.1'] } } },
      /agent\.egress\.allow\.0/,
    ],
    [
      { ...minimal, agent: { egress: { uplinkNetns: 'fl-up' } } },
      /agent\.egress\.uplinkNetns: fl- names are VM namespaces/,
    ],
    [
      { ...minimal, agent: { egress: { nameservers: ['dns.example'] } } },
      /agent\.egress\.nameservers\.0/,
    ],
    [
      { ...minimal, agent: { egress: { nameservers: ['127.0.0.53'] } } },
      /agent\.egress\.nameservers\.0: a loopback resolver/,
    ],
    [
      { ...minimal, agent: { egress: { linkSubnet: '10.199.255.0/24' } } },
      /agent\.egress\.linkSubnet: must be a \/30/,
    ],
    [
      { ...minimal, agent: { egress: { transitPool: '10.200.0.0/31' } } },
      /agent\.egress\.transitPool: must be \/30 or wider/,
    ],
    [
      { ...minimal, agent: { egress: { mode: 'nat', audit: true } } },
      /agent\.egress\.audit: audit needs allowOnly/,
    ],
  ];
  for (const [raw, message] of cases) {
    assert.throws(() => parseConfig(raw, 'up', {}), message);
  }
});

test('each command gets the sections it needs', () => {
  const agentOnly = {
    agent: { name: 'kvm-1', server: { url: 'https://firelab.example:8710' } },
  };
  const agent = parseConfig(agentOnly, 'agent', {
    FIRELAB_ENROLMENT_TOKEN: 'flenrol-x',
    FIRELAB_GITLAB_TOKEN: 'glpat-not-for-agents',
  });
  assert.equal(agent.agent.server.url, 'https://firelab.example:8710');
  assert.equal(agent.agent.enrolmentToken, 'flenrol-x');
  assert.equal(agent.gitlab, undefined, 'no section conjured from env');

  const cases: [unknown, 'up' | 'server' | 'agent' | 'client', RegExp][] = [
    [agentOnly, 'server', /gitlab: required for this command/],
    [agentOnly, 'client', /server: required for this command/],
    [minimal, 'agent', /agent\.server: required/],
    [
      { ...minimal, agent: agentOnly.agent },
      'up',
      /agent\.server is for `firelab agent run`/,
    ],
    [{ agent: { server: { url: 'ftp://x' } } }, 'agent', /agent\.server\.url/],
  ];
  for (const [raw, role, message] of cases) {
    assert.throws(() => parseConfig(raw, role, {}), message);
  }
  const server = parseConfig(minimal, 'server', {});
  assert.equal(server.server.agentLostAfterSeconds, 120);
});
