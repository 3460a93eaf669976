import type {
  AgentEvents,
  AgentInfo,
  AgentLink,
  StartVmRequest,
} from '../agent-link.js';

/**
 * A test double of an agent whose "VMs" are a few lines of TypeScript
 * speaking the runner job protocol to the GitLab URL they are given:
 * request one job (polling), ack it with `PUT state=running`, send a
 * trace, report success, and exit. Used to test the server's logic fast
 * and deterministically; real VMs are exercised in test/e2e.
 */
export class FakeAgent implements AgentLink {
  readonly id: string;
  readonly info: AgentInfo;
  readonly started: StartVmRequest[] = [];
  readonly stopped: string[] = [];
  /** Set to make the next boots fail. */
  failBoots = 0;
  /** Delay before a fake VM starts polling, ms. */
  bootDelayMs = 20;
  #events: AgentEvents | undefined;
  #stops = new Map<string, () => void>();
  #booted = new Set<string>();

  constructor(id = 'fake', info: Partial<AgentInfo> = {}) {
    this.id = id;
    this.info = {
      name: id,
      arch: 'x86_64',
      vcpus: 8,
      memoryMiB: 16384,
      hypervisor: 'fake',
      acceleration: 'none',
      ...info,
    };
  }

  connect(events: AgentEvents): void {
    this.#events = events;
  }

  get running(): number {
    return this.#stops.size;
  }

  async startVm(request: StartVmRequest): Promise<void> {
    this.started.push(request);
    if (this.failBoots > 0) {
      this.failBoots--;
      setTimeout(
        () => this.#exit(request.vmId, 'boot-failed', 'injected boot failure'),
        5,
      );
      return;
    }
    let stopped = false;
    const boot = setTimeout(() => {
      this.#booted.add(request.vmId);
      this.#events?.vmBooted(request.vmId, Date.now());
      void runOneJob(request, () => stopped).then(
        (kind) => this.#exit(request.vmId, stopped ? 'stopped' : kind, ''),
        (error: Error) => this.#exit(request.vmId, 'crashed', error.message),
      );
    }, this.bootDelayMs);
    this.#stops.set(request.vmId, () => {
      stopped = true;
      // Stopped before it "booted": it ends at once, like a real VM.
      if (!this.#booted.has(request.vmId)) {
        clearTimeout(boot);
        this.#exit(request.vmId, 'stopped', 'stopped before boot');
      }
    });
  }

  async stopVm(vmId: string): Promise<void> {
    this.stopped.push(vmId);
    this.#stops.get(vmId)?.();
  }

  #exit(
    vmId: string,
    kind: 'guest-exit' | 'stopped' | 'crashed' | 'boot-failed',
    detail: string,
  ) {
    this.#stops.delete(vmId);
    this.#events?.vmExited(vmId, {
      kind,
      code: 0,
      detail,
      endedAt: Date.now(),
      consolePath: null,
    });
  }
}

async function runOneJob(
  request: StartVmRequest,
  stopped: () => boolean,
): Promise<'guest-exit'> {
  const api = `${request.gitlabUrl}/api/v4`;
  const until = Date.now() + request.waitTimeoutSeconds * 1000;
  while (!stopped() && Date.now() < until) {
    const response = await post(`${api}/jobs/request`, {
      token: request.runnerToken,
      info: { features: { two_phase_job_commit: true, trace_checksum: true } },
    });
    if (response.status === 201) {
      const job = (await response.json()) as { id: number; token: string };
      await finishJob(api, job);
      return 'guest-exit';
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return 'guest-exit';
}

async function finishJob(api: string, job: { id: number; token: string }) {
  await put(`${api}/jobs/${job.id}`, { token: job.token, state: 'running' });
  const trace = 'hello from a fake VM\n';
  await fetch(`${api}/jobs/${job.id}/trace`, {
    method: 'PATCH',
    headers: {
      'content-type': 'text/plain',
      'job-token': job.token,
      'content-range': `0-${trace.length - 1}`,
    },
    body: trace,
  });
  await put(`${api}/jobs/${job.id}`, {
    token: job.token,
    state: 'success',
    exit_code: 0,
    output: { checksum: `crc32:${crc32(trace)}`, bytesize: trace.length },
  });
}

function post(url: string, body: unknown) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

function put(url: string, body: unknown) {
  return fetch(url, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

function crc32(text: string): string {
  let crc = 0xffffffff;
  for (const byte of Buffer.from(text)) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ((crc ^ 0xffffffff) >>> 0).toString(16).padStart(8, '0');
}
