import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { errorMessage } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { hashSecret, matchesHash, newSecret } from '../../lib/secrets.js';
import type { Store } from '../../store/index.js';
import type { AgentEvents, AgentLink } from './agent-link.js';
import { agentMessageSchema, CLOSE, parseMessage } from './protocol.js';
import type { AgentMessage, ServerMessage } from './protocol.js';
import { RemoteAgentLink } from './remote-link.js';

export interface AgentSocketOptions {
  store: Store;
  serverId: string;
  /** Ping interval; an agent that misses two pings is disconnected. */
  heartbeatMs: number;
  attach(link: AgentLink): AgentEvents;
  detach(link: AgentLink): Promise<void>;
  log: Logger;
}

type Hello = Extract<AgentMessage, { type: 'hello' }>;

const HELLO_TIMEOUT_MS = 10_000;

/**
 * Accepts agents' WebSocket connections: authenticates the first message
 * (credential, or a one-time enrolment token that is exchanged for a new
 * credential), then relays requests, results and events between the
 * socket and the server. Frames are limited to 1 MiB.
 */
export class AgentSocketServer {
  #wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  #options: AgentSocketOptions;
  #log: Logger;

  constructor(options: AgentSocketOptions) {
    this.#options = options;
    this.#log = options.log;
  }

  /** Takes over an HTTP upgrade request for the agent path. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.#wss.handleUpgrade(request, socket, head, (ws) => {
      this.#accept(ws, request.socket.remoteAddress ?? 'unknown');
    });
  }

  /** Closes every agent connection (the agents reconnect elsewhere). */
  close(): void {
    for (const ws of this.#wss.clients)
      ws.close(CLOSE.shuttingDown, 'server shutting down');
    this.#wss.close();
  }

  #accept(ws: WebSocket, peer: string): void {
    const timer = setTimeout(
      () => refuse(ws, 'no hello within 10 s'),
      HELLO_TIMEOUT_MS,
    );
    ws.once('message', (data) => {
      clearTimeout(timer);
      const parsed = parseMessage(agentMessageSchema, data);
      if (!parsed.ok || parsed.message.type !== 'hello') {
        refuse(ws, parsed.ok ? 'expected hello first' : parsed.error);
        return;
      }
      const hello = parsed.message;
      this.#authenticate(hello).then(
        (verdict) => {
          if (!verdict.ok) {
            this.#log.warn(
              { agentId: hello.agentId, peer, reason: verdict.reason },
              'agent refused',
            );
            refuse(ws, verdict.reason);
            return;
          }
          this.#serve(ws, hello, verdict.credential);
        },
        (error: unknown) => {
          this.#log.error({ err: errorMessage(error) }, 'agent hello failed');
          refuse(ws, 'server error');
        },
      );
    });
    ws.on('error', (error) =>
      this.#log.debug({ peer, err: error.message }, 'agent socket error'),
    );
  }

  /**
   * The credential is checked against its stored hash; an enrolment token
   * is spent once and yields a fresh credential (returned, so the agent
   * can store it). A refusal says why, in words an operator can act on.
   */
  async #authenticate(
    hello: Hello,
  ): Promise<
    { ok: true; credential?: string } | { ok: false; reason: string }
  > {
    const { store } = this.#options;
    const name = hello.agentId;
    if (hello.credential !== undefined) {
      const stored = await store.agents.getCredentialHash(name);
      if (matchesHash(hello.credential, stored)) return { ok: true };
      return {
        ok: false,
        reason: stored
          ? `wrong credential for agent ${name}`
          : `agent ${name} is not enrolled (forgotten, or another database): enrol it again`,
      };
    }
    if (hello.enrolmentToken === undefined)
      return {
        ok: false,
        reason: 'neither a credential nor an enrolment token',
      };
    const credential = newSecret('flagent-');
    const enrolled = await store.agents.enrolAgent(
      hashSecret(hello.enrolmentToken),
      { id: name, ...hello.info },
      hashSecret(credential),
      Date.now(),
    );
    if (enrolled === 'name-taken')
      return {
        ok: false,
        reason: `agent name ${name} is already enrolled: pick another name, or free it with \`firelab agent forget ${name}\``,
      };
    if (enrolled === 'bad-token')
      return {
        ok: false,
        reason: 'the enrolment token is unknown, already used or expired',
      };
    this.#log.info({ agentId: name }, 'agent enrolled');
    return { ok: true, credential };
  }

  #serve(ws: WebSocket, hello: Hello, credential: string | undefined): void {
    const log = this.#log.child({ agentId: hello.agentId });
    const link = new RemoteAgentLink(
      hello.agentId,
      hello.info,
      ws,
      hello.runningVmIds,
    );
    send(ws, {
      type: 'welcome',
      serverId: this.#options.serverId,
      heartbeatMs: this.#options.heartbeatMs,
      ...(credential ? { credential } : {}),
    });
    const events = this.#options.attach(link);
    let alive = true;
    ws.on('pong', () => (alive = true));
    const heartbeat = setInterval(() => {
      if (!alive) {
        log.warn('agent missed its heartbeat: disconnecting');
        ws.terminate();
        return;
      }
      alive = false;
      ws.ping();
    }, this.#options.heartbeatMs);

    ws.on('message', (data) => {
      alive = true;
      const parsed = parseMessage(agentMessageSchema, data);
      if (!parsed.ok) {
        log.warn({ err: parsed.error }, 'bad message from agent');
        ws.close(CLOSE.badMessage, parsed.error.slice(0, 120));
        return;
      }
      const message = parsed.message;
      if (message.type === 'result') {
        link.settle(message.id, message.error, message.data);
      } else if (message.type === 'event') {
        handle(events, message).then(
          () => send(ws, { type: 'ack', seq: message.seq }),
          (error: unknown) =>
            log.error(
              { seq: message.seq, err: errorMessage(error) },
              'agent event not handled; the agent will send it again',
            ),
        );
      }
    });
    ws.on('close', (code, reason) => {
      clearInterval(heartbeat);
      const why = `${code} ${reason.toString() || 'closed'}`;
      link.closed(why);
      log.info({ code, reason: reason.toString() }, 'agent disconnected');
      void this.#options.detach(link);
    });
  }
}

function handle(
  handlers: AgentEvents,
  message: Extract<AgentMessage, { type: 'event' }>,
): Promise<void> {
  const event = message.event;
  return event.kind === 'vmBooted'
    ? handlers.vmBooted(event.vmId, event.at)
    : handlers.vmExited(event.vmId, event.exit);
}

function send(ws: WebSocket, message: ServerMessage): void {
  ws.send(JSON.stringify(message));
}

function refuse(ws: WebSocket, reason: string): void {
  send(ws, { type: 'refused', reason });
  ws.close(CLOSE.refused, 'refused');
}
