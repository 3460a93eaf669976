import { WebSocket } from 'ws';
import { errorMessage } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import type { AgentEvents, AgentLink } from '../server/agents/agent-link.js';
import {
  AGENT_SOCKET_PATH,
  CLOSE,
  parseMessage,
  PROTOCOL_VERSION,
  serverMessageSchema,
} from '../server/agents/protocol.js';
import type {
  AgentEventMessage,
  AgentMessage,
  ServerMessage,
} from '../server/agents/protocol.js';

export interface ServerConnectionOptions {
  /** The server's URL (http(s):// or ws(s)://); the agent path is added. */
  url: string;
  /** PEM of the CA that signed the server's certificate (self-made PKI). */
  ca?: string | undefined;
  /** The agent's credential, once enrolled. */
  credential: string | undefined;
  /** A one-time enrolment token, used while there is no credential. */
  enrolmentToken?: string | undefined;
  /** Called with a new credential from an enrolment; must persist it. */
  saveCredential(credential: string): Promise<void>;
  log: Logger;
  /** Reconnect backoff bounds (tests shorten them). */
  backoff?: { minMs: number; maxMs: number };
}

type Event = AgentEventMessage['event'];

/**
 * The agent's side of its connection to the server. It dials out (hosts
 * need no inbound port), says hello with its credential (or enrols with
 * a one-time token and stores the credential it gets), carries the
 * server's requests to the agent and the agent's events to the server,
 * and reconnects with jittered backoff when the connection drops or the
 * server goes quiet. Events are kept until the server acknowledges them
 * and are sent again after a reconnect, so none is lost to a network cut.
 */
export class ServerConnection implements AgentEvents {
  #options: ServerConnectionOptions;
  #log: Logger;
  #agent: AgentLink | undefined;
  #socket: WebSocket | undefined;
  #ready = false;
  #outbox = new Map<number, Event>();
  #seq = 0;
  #closed = false;
  #attempt = 0;
  #retryTimer: NodeJS.Timeout | undefined;
  #first: { resolve: () => void; reject: (error: Error) => void } | undefined;
  #credential: string | undefined;

  constructor(options: ServerConnectionOptions) {
    this.#options = options;
    this.#log = options.log;
    this.#credential = options.credential;
  }

  /**
   * Starts connecting on behalf of `agent`. Resolves at the first welcome
   * and rejects if the server refuses the first hello (a wrong or spent
   * token should stop a first start, loudly); after that, it reconnects
   * whenever the connection is lost, until `close`.
   */
  connect(agent: AgentLink): Promise<void> {
    this.#agent = agent;
    const first = new Promise<void>((resolve, reject) => {
      this.#first = { resolve, reject };
    });
    this.#dial();
    return first;
  }

  /** Whether the server currently has this agent. */
  get connected(): boolean {
    return this.#ready;
  }

  /** Events not yet acknowledged by the server. */
  get unacknowledged(): number {
    return this.#outbox.size;
  }

  /** VMs whose exit the server has not acknowledged yet. */
  unreportedExits(): string[] {
    return [...this.#outbox.values()]
      .filter((e) => e.kind === 'vmExited')
      .map((e) => e.vmId);
  }

  vmBooted(vmId: string, at: number): Promise<void> {
    this.#emit({ kind: 'vmBooted', vmId, at });
    return Promise.resolve();
  }

  vmExited(
    vmId: string,
    exit: Parameters<AgentEvents['vmExited']>[1],
  ): Promise<void> {
    this.#emit({ kind: 'vmExited', vmId, exit });
    return Promise.resolve();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    this.#socket?.close(1000, 'agent stopping');
  }

  #emit(event: Event): void {
    const seq = ++this.#seq;
    this.#outbox.set(seq, event);
    if (this.#ready) this.#send({ type: 'event', seq, event });
  }

  #dial(): void {
    if (this.#closed) return;
    const url = socketUrl(this.#options.url);
    const socket = new WebSocket(url, {
      ...(this.#options.ca ? { ca: this.#options.ca } : {}),
      handshakeTimeout: 10_000,
      maxPayload: 1024 * 1024,
    });
    this.#socket = socket;
    let quiet: NodeJS.Timeout | undefined;
    let heartbeatMs = 10_000;
    const expectPing = () => {
      clearTimeout(quiet);
      quiet = setTimeout(() => {
        this.#log.warn('server went quiet: reconnecting');
        socket.terminate();
      }, heartbeatMs * 3);
    };

    socket.on('open', () => {
      const agent = this.#agent!;
      const running = new Set([
        ...agent.runningVmIds(),
        ...this.unreportedExits(),
      ]);
      this.#send({
        type: 'hello',
        protocol: PROTOCOL_VERSION,
        agentId: agent.id,
        info: agent.info,
        runningVmIds: [...running],
        ...(this.#credential
          ? { credential: this.#credential }
          : this.#options.enrolmentToken
            ? { enrolmentToken: this.#options.enrolmentToken }
            : {}),
      });
    });
    socket.on('ping', expectPing);
    socket.on('message', (data) => {
      const parsed = parseMessage(serverMessageSchema, data);
      if (!parsed.ok) {
        this.#log.warn({ err: parsed.error }, 'bad message from server');
        socket.close(CLOSE.badMessage, 'bad message');
        return;
      }
      const message = parsed.message;
      if (message.type === 'welcome') {
        heartbeatMs = message.heartbeatMs;
        expectPing();
        void this.#welcome(message);
      } else if (message.type === 'refused') {
        this.#refused(message.reason);
      } else if (message.type === 'request') {
        void this.#answer(message);
      } else {
        this.#outbox.delete(message.seq);
      }
    });
    socket.on('error', (error) => {
      // Before the first welcome, an answer that is not a firelab server
      // (a wrong URL) or a certificate that is not trusted will not fix
      // itself: the first start fails with it. Later, or a server that
      // is not up yet, is retried.
      if (this.#first && isPermanent(error)) {
        this.#first.reject(
          new Error(`cannot connect to ${url}: ${errorMessage(error)}`),
        );
        this.#first = undefined;
        this.close();
        return;
      }
      this.#log.warn(
        { url, err: errorMessage(error) },
        'server connection error',
      );
    });
    socket.on('close', (code) => {
      clearTimeout(quiet);
      const was = this.#ready;
      this.#ready = false;
      if (was) this.#log.warn({ code }, 'disconnected from the server');
      this.#retry(code === CLOSE.refused);
    });
  }

  async #welcome(
    message: Extract<ServerMessage, { type: 'welcome' }>,
  ): Promise<void> {
    if (message.credential) {
      await this.#options.saveCredential(message.credential);
      this.#credential = message.credential;
      this.#log.info('enrolled: credential stored');
    }
    this.#ready = true;
    this.#attempt = 0;
    this.#log.info({ server: message.serverId }, 'connected to the server');
    for (const [seq, event] of this.#outbox)
      this.#send({ type: 'event', seq, event });
    this.#first?.resolve();
    this.#first = undefined;
  }

  #refused(reason: string): void {
    if (this.#first) {
      this.#first.reject(new Error(`the server refused this agent: ${reason}`));
      this.#first = undefined;
      this.close();
      return;
    }
    this.#log.error(
      { reason },
      'the server refused this agent (enrol it again with a new token?)',
    );
  }

  async #answer(
    message: Extract<ServerMessage, { type: 'request' }>,
  ): Promise<void> {
    const agent = this.#agent!;
    const call = message.call;
    try {
      let data: string | null | undefined;
      if (call.kind === 'startVm') await agent.startVm(call.request);
      else if (call.kind === 'stopVm') await agent.stopVm(call.vmId);
      else if (call.kind === 'jobTaken') await agent.jobTaken(call.vmId);
      else data = await agent.readConsole(call.vmId);
      this.#send({
        type: 'result',
        id: message.id,
        ...(data === undefined ? {} : { data }),
      });
    } catch (error) {
      this.#send({
        type: 'result',
        id: message.id,
        error: errorMessage(error),
      });
    }
  }

  #retry(refused: boolean): void {
    if (this.#closed) return;
    const { minMs, maxMs } = this.#options.backoff ?? {
      minMs: 500,
      maxMs: 15_000,
    };
    const ceiling = refused
      ? maxMs
      : Math.min(maxMs, minMs * 2 ** this.#attempt++);
    const delay = ceiling / 2 + (Math.random() * ceiling) / 2;
    this.#retryTimer = setTimeout(() => this.#dial(), delay);
  }

  #send(message: AgentMessage): void {
    if (this.#socket?.readyState !== WebSocket.OPEN) return;
    this.#socket.send(JSON.stringify(message));
  }
}

function isPermanent(error: Error & { code?: string }): boolean {
  return (
    /Unexpected server response: 4\d\d/.test(error.message) ||
    /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(error.code ?? '')
  );
}

/** http(s):// and ws(s):// both work; the agent path is appended. */
export function socketUrl(base: string): string {
  const url = new URL(base);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  if (url.protocol === 'https:') url.protocol = 'wss:';
  url.pathname = url.pathname.replace(/\/$/, '') + AGENT_SOCKET_PATH;
  return url.toString();
}
