import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

// The stand-in's pure helpers, called through python3 itself.
const script = fileURLToPath(
  new URL('gitlab-runner-standin.py', import.meta.url),
);

function py(expression: string): unknown {
  const program = [
    'import importlib.util, json, sys',
    'spec = importlib.util.spec_from_file_location("r", sys.argv[1])',
    'r = importlib.util.module_from_spec(spec); spec.loader.exec_module(r)',
    `print(json.dumps(${expression}))`,
  ].join('\n');
  return JSON.parse(
    execFileSync('python3', ['-c', program, script]).toString(),
  );
}

const rewrites: [string, string, string, string][] = [
  ['no clone_url', 'http://a/g/p.git', '', 'http://a/g/p.git'],
  [
    'host and port from clone_url, credentials kept',
    'https://gitlab-ci-token:tok@gitlab.example/g/p.git',
    'http://10.0.0.1:8080',
    'http://gitlab-ci-token:tok@10.0.0.1:8080/g/p.git',
  ],
  [
    'path prefix kept',
    'http://a/g/p.git',
    'http://b/gitlab/',
    'http://b/gitlab/g/p.git',
  ],
];

for (const [name, repo, clone, expected] of rewrites) {
  test(`stand-in rewrite_repo_url: ${name}`, () => {
    const call = `r.rewrite_repo_url(${JSON.stringify(repo)}, ${JSON.stringify(clone)})`;
    assert.equal(py(call), expected);
  });
}

test('stand-in checksum is crc32 of the trace, as GitLab expects', () => {
  assert.equal(py('r.checksum(b"hello")'), 'crc32:3610a686');
  assert.equal(py('r.checksum(b"")'), 'crc32:00000000');
});

test('stand-in step script echoes each command, then runs it', () => {
  const text = py('r.step_script(["echo hi"], "/builds/p")') as string;
  assert.match(text, /^set -eo pipefail\ncd \/builds\/p\n/);
  assert.match(text, /printf '%s\\n' '.*\$ echo hi.*'\necho hi\n$/);
});

test('stand-in names itself a stand-in', () => {
  const out = execFileSync('python3', [script, '--version']).toString();
  assert.match(out, /stand-in/);
});
