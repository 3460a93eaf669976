import assert from 'node:assert/strict';
import { test } from 'node:test';
import { guestEndpoint } from './guest-endpoint.js';

test('maps GitLab URLs to what the guest uses', () => {
  const cases: [string, ReturnType<typeof guestEndpoint>][] = [
    [
      'http://127.0.0.1:8080',
      {
        guestUrl: 'http://10.0.0.1:8080',
        hosts: '',
        listenPort: 8080,
        target: { host: '127.0.0.1', port: 8080 },
      },
    ],
    [
      'https://gitlab.example.com/',
      {
        guestUrl: 'https://gitlab.example.com',
        hosts: '10.0.0.1 gitlab.example.com\n',
        listenPort: 443,
        target: { host: 'gitlab.example.com', port: 443 },
      },
    ],
    [
      'http://localhost:3000/gitlab',
      {
        guestUrl: 'http://10.0.0.1:3000/gitlab',
        hosts: '',
        listenPort: 3000,
        target: { host: 'localhost', port: 3000 },
      },
    ],
    [
      'http://git.internal',
      {
        guestUrl: 'http://git.internal',
        hosts: '10.0.0.1 git.internal\n',
        listenPort: 80,
        target: { host: 'git.internal', port: 80 },
      },
    ],
  ];
  for (const [url, expected] of cases) {
    assert.deepEqual(guestEndpoint(url, '10.0.0.1'), expected, url);
  }
});

test('refuses non-HTTP GitLab URLs', () => {
  assert.throws(() => guestEndpoint('ftp://x', '10.0.0.1'), /http or https/);
});
