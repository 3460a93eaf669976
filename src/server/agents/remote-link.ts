import type { WebSocket } from 'ws';
import type { AgentInfo, AgentLink, StartVmRequest } from './agent-link.js';
import type { ServerCall, ServerMessage } from './protocol.js';

/** How long the server waits for an agent to answer a request. */
const CALL_TIMEOUT_MS = 30_000;

/**
 * An agent on another host, reached through the WebSocket it opened. Each
 * call is a numbered request; it settles when the agent answers, when the
 * answer is overdue, or when the connection ends (the work is then
 * treated as failed: a VM the agent did start anyway is found when it
 * reconnects and is stopped).
 */
export class RemoteAgentLink implements AgentLink {
  readonly id: string;
  readonly info: AgentInfo;
  #socket: WebSocket;
  #running: string[];
  #nextId = 1;
  #pending = new Map<
    number,
    {
      resolve: (data: string | null | undefined) => void;
      reject: (error: Error) => void;
    }
  >();
  #closed: string | undefined;

  constructor(
    id: string,
    info: AgentInfo,
    socket: WebSocket,
    runningVmIds: string[],
  ) {
    this.id = id;
    this.info = info;
    this.#socket = socket;
    this.#running = runningVmIds;
  }

  async startVm(request: StartVmRequest): Promise<void> {
    await this.#call({ kind: 'startVm', request });
  }

  async stopVm(vmId: string): Promise<void> {
    await this.#call({ kind: 'stopVm', vmId });
  }

  async jobTaken(vmId: string): Promise<void> {
    await this.#call({ kind: 'jobTaken', vmId });
  }

  async readConsole(vmId: string): Promise<string | null> {
    return (await this.#call({ kind: 'readConsole', vmId })) ?? null;
  }

  /** The VMs the agent had when it said hello. */
  runningVmIds(): string[] {
    return this.#running;
  }

  /** The agent answered request `id`. */
  settle(id: number, error: string | undefined, data?: string | null): void {
    const call = this.#pending.get(id);
    if (!call) return;
    this.#pending.delete(id);
    if (error === undefined) call.resolve(data);
    else call.reject(new Error(`agent ${this.id}: ${error}`));
  }

  /** The connection ended: every open call fails. */
  closed(why: string): void {
    this.#closed = why;
    for (const [id, call] of this.#pending) {
      this.#pending.delete(id);
      call.reject(new Error(`agent ${this.id} disconnected (${why})`));
    }
  }

  #call(call: ServerCall): Promise<string | null | undefined> {
    if (this.#closed !== undefined) {
      return Promise.reject(
        new Error(`agent ${this.id} disconnected (${this.#closed})`),
      );
    }
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.settle(id, `no answer to ${call.kind} in ${CALL_TIMEOUT_MS} ms`);
      }, CALL_TIMEOUT_MS);
      this.#pending.set(id, {
        resolve: (data) => (clearTimeout(timer), resolve(data)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
      const message: ServerMessage = { type: 'request', id, call };
      this.#socket.send(JSON.stringify(message), (error) => {
        if (error) this.settle(id, `send failed: ${error.message}`);
      });
    });
  }
}
