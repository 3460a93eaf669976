import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCiConfig } from './ci-config.js';
import { CiConfigError } from './ci-config-error.js';

test('default stages, default:, variables and hidden/extends jobs', () => {
  const config = parseCiConfig(`
variables: { GLOBAL: one, N: 3 }
default:
  before_script: [echo before]
  tags: [firelab]
.base:
  variables: { FROM_BASE: yes }
  after_script: [echo after]
build:
  extends: .base
  stage: build
  script: make
  variables: { N: 4 }
deploy:
  stage: deploy
  tags: []
  script: [[echo a, echo b]]
  image: debian:12
`);
  assert.deepEqual(config.stages, ['.pre', 'build', 'test', 'deploy', '.post']);
  const [build, deploy] = config.jobs;
  assert.equal(build?.name, 'build');
  assert.deepEqual(build?.beforeScript, ['echo before']);
  assert.deepEqual(build?.afterScript, ['echo after']);
  assert.deepEqual(build?.tags, ['firelab']);
  assert.deepEqual(build?.variables, {
    GLOBAL: 'one',
    N: '4',
    FROM_BASE: 'yes',
  });
  assert.deepEqual(deploy?.script, ['echo a', 'echo b']);
  assert.deepEqual(deploy?.tags, []);
  assert.equal(deploy?.image, 'debian:12');
  assert.equal(config.jobs.length, 2);
});

test('when, allow_failure and needs are read; when: never drops the job', () => {
  const config = parseCiConfig(`
stages: [a, b]
one: { stage: a, script: x }
two: { stage: b, script: x, needs: [one], allow_failure: true }
three: { stage: b, script: x, when: manual }
four: { stage: b, script: x, when: never }
five: { stage: b, script: x, allow_failure: { exit_codes: [3] } }
`);
  const byName = new Map(config.jobs.map((j) => [j.name, j]));
  assert.deepEqual(byName.get('two')?.needs, ['one']);
  assert.equal(byName.get('two')?.allowFailure, true);
  assert.equal(byName.get('three')?.when, 'manual');
  assert.equal(byName.get('three')?.allowFailure, true);
  assert.equal(byName.has('four'), false);
  assert.deepEqual(byName.get('five')?.allowFailure, { exitCodes: [3] });
  assert.equal(byName.get('one')?.needs, null);
});

const invalid: [string, string, RegExp][] = [
  ['broken YAML', 'a: [1, 2\nb: c', /\(<unknown>\)/],
  ['no jobs', 'stages: [a]', /at least one visible job/],
  [
    'unknown stage',
    'j: { stage: nope, script: x }',
    /chosen stage nope does not exist/,
  ],
  ['missing script', 'j: { stage: test }', /script:, run:, or trigger:/],
  ['unknown need', 'j: { script: x, needs: [ghost] }', /needs 'ghost' job/],
  ['bad when', 'j: { script: x, when: later }', /when unknown value/],
  [
    'extends cycle',
    'a: { extends: b, script: x }\nb: { extends: a }',
    /circular/,
  ],
];

for (const [name, text, pattern] of invalid) {
  test(`invalid configuration: ${name}`, () => {
    assert.throws(
      () => parseCiConfig(text),
      (error: unknown) => {
        assert.ok(error instanceof CiConfigError);
        assert.match(error.message, pattern);
        return true;
      },
    );
  });
}
