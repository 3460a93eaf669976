import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseGitlabTime } from './time.js';

test('parses both timestamp formats GitLab sends', () => {
  const cases: [string | null, string | null][] = [
    ['2019-05-17 18:09:21 UTC', '2019-05-17T18:09:21.000Z'],
    ['2019-05-17 20:09:21 +0200', '2019-05-17T18:09:21.000Z'],
    ['2021-02-23T02:41:37.886Z', '2021-02-23T02:41:37.886Z'],
    ['2021-02-23T02:41:37Z', '2021-02-23T02:41:37.000Z'],
    ['2021-02-23T04:41:37.886+02:00', '2021-02-23T02:41:37.886Z'],
    [null, null],
    ['', null],
  ];
  for (const [input, expected] of cases) {
    assert.equal(parseGitlabTime(input)?.toISOString() ?? null, expected);
  }
});

test('rejects what is not a GitLab timestamp', () => {
  for (const bad of ['yesterday', '17/05/2019', '2019-13-45T99:00:00Z']) {
    assert.throws(() => parseGitlabTime(bad), /unrecognised GitLab timestamp/);
  }
});
