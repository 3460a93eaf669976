import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGitlabSim } from './index.js';
import type { GitlabSim } from './index.js';
import type { Project, User } from './types.js';

/**
 * Shared set-up for the simulator's own tests (not used by production
 * code): a running simulator in a temporary directory with one user,
 * one project and a webhook receiver on 127.0.0.1.
 */
export interface SimFixture {
  sim: GitlabSim;
  user: User;
  token: string;
  project: Project;
  api(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

export async function startSim(
  options: { traceUpdateIntervalSeconds?: number } = {},
): Promise<SimFixture> {
  const dataDir = await mkdtemp(join(tmpdir(), 'gitlab-sim-'));
  const sim = await createGitlabSim({ dataDir, ...options });
  const { user, token } = sim.admin.createUser({ username: 'alice' });
  const project = await sim.admin.createProject({
    namespace: 'firelab',
    name: 'Sample',
    members: [user],
  });
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${sim.url}/api/v4${path}`, {
      ...init,
      headers: {
        'PRIVATE-TOKEN': token,
        'Content-Type': 'application/json',
        ...(init.headers as Record<string, string> | undefined),
      },
    });
  return {
    sim,
    user,
    token,
    project,
    api,
    close: async () => {
      await sim.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Received {
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  raw: string;
}

/** A webhook receiver on 127.0.0.1 that answers `status` (default 200). */
export async function startReceiver(status = 200) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString();
      received.push({ headers: req.headers, body: JSON.parse(raw), raw });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve()),
  );
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Creates a project runner through the REST API; returns id + token. */
export async function createRunner(
  fixture: SimFixture,
  body: Record<string, unknown> = {},
): Promise<{ id: number; token: string }> {
  const response = await fixture.api('/user/runners', {
    method: 'POST',
    body: JSON.stringify({
      runner_type: 'project_type',
      project_id: fixture.project.id,
      ...body,
    }),
  });
  if (response.status !== 201) {
    throw new Error(`runner creation: ${response.status}`);
  }
  return (await response.json()) as { id: number; token: string };
}

/** POST /jobs/request as gitlab-runner does. */
export function requestJob(
  sim: GitlabSim,
  token: string,
  features: Record<string, boolean> = {},
): Promise<Response> {
  return fetch(`${sim.url}/api/v4/jobs/request`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      token,
      info: { name: 'gitlab-runner', version: '19.3.0', features },
    }),
  });
}

export const SIMPLE_CI = `
stages: [build, test]
compile:
  stage: build
  tags: [firelab]
  script: [echo compile]
unit:
  stage: test
  tags: [firelab]
  script: [echo unit]
`;
