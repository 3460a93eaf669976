import { z } from 'zod';
import { VM_EXIT_KINDS } from '../../vmm/driver.js';

/**
 * The agent ⇄ server protocol: JSON text messages over one WebSocket that
 * the agent opens (agents need no inbound port). The agent says `hello`
 * first, with its credential or a one-time enrolment token; the server
 * answers `welcome` (with a new credential after an enrolment) or
 * `refused`. Then the server sends `request`s that the agent answers with
 * `result`s, and the agent sends numbered `event`s that the server `ack`s
 * once handled: an agent keeps every event until it is acknowledged and
 * sends it again after a reconnect, and the server handles repeats as
 * no-ops.
 */
export const PROTOCOL_VERSION = 1;
export const AGENT_SOCKET_PATH = '/agent/v1/connect';

const arch = z.enum(['x86_64', 'arm64']);
const vmId = z.string().regex(/^[a-z0-9-]{1,64}$/);

export const agentInfoSchema = z
  .object({
    hostname: z.string().min(1).max(200),
    arch,
    vcpus: z.number().int().positive(),
    memoryMiB: z.number().int().positive(),
    hypervisor: z.string().min(1).max(40),
    acceleration: z.string().min(1).max(40),
  })
  .strict();

const startVmRequest = z
  .object({
    vmId,
    arch,
    vcpus: z.number().int().positive(),
    memoryMiB: z.number().int().positive(),
    runnerToken: z.string().min(1),
    gitlabUrl: z.string().min(1),
    waitTimeoutSeconds: z.number().int().positive(),
    jobTimeoutSeconds: z.number().int().positive(),
    deadlineAt: z.number().int(),
  })
  .strict();

const vmExit = z
  .object({
    kind: z.enum(VM_EXIT_KINDS),
    code: z.number().int().nullable(),
    detail: z.string(),
    endedAt: z.number(),
    consolePath: z.string().nullable(),
  })
  .strict();

export const agentMessageSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('hello'),
      protocol: z.literal(PROTOCOL_VERSION),
      agentId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/),
      info: agentInfoSchema,
      /** VMs running, and ended ones whose exit is not acknowledged yet. */
      runningVmIds: z.array(vmId),
      credential: z.string().min(1).optional(),
      enrolmentToken: z.string().min(1).optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('result'),
      id: z.number().int(),
      error: z.string().optional(),
      /** What the call returns, if anything (a console's text). */
      data: z.string().nullable().optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('event'),
      seq: z.number().int(),
      event: z.discriminatedUnion('kind', [
        z.object({ kind: z.literal('vmBooted'), vmId, at: z.number() }),
        z.object({ kind: z.literal('vmExited'), vmId, exit: vmExit }),
      ]),
    })
    .strict(),
]);

export const serverMessageSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('welcome'),
      serverId: z.string(),
      /** The server pings this often; the agent reconnects after 3 misses. */
      heartbeatMs: z.number().int().positive(),
      credential: z.string().optional(),
    })
    .strict(),
  z.object({ type: z.literal('refused'), reason: z.string() }).strict(),
  z
    .object({
      type: z.literal('request'),
      id: z.number().int(),
      call: z.discriminatedUnion('kind', [
        z.object({ kind: z.literal('startVm'), request: startVmRequest }),
        z.object({ kind: z.literal('stopVm'), vmId }),
        z.object({ kind: z.literal('jobTaken'), vmId }),
        z.object({ kind: z.literal('readConsole'), vmId }),
      ]),
    })
    .strict(),
  z.object({ type: z.literal('ack'), seq: z.number().int() }).strict(),
]);

export type AgentMessage = z.infer<typeof agentMessageSchema>;
export type ServerMessage = z.infer<typeof serverMessageSchema>;
export type AgentEventMessage = Extract<AgentMessage, { type: 'event' }>;
export type ServerCall = Extract<ServerMessage, { type: 'request' }>['call'];

/** WebSocket close codes firelab uses (4000-4999 are the application's). */
export const CLOSE = {
  refused: 4401,
  replaced: 4409,
  badMessage: 4400,
  shuttingDown: 4503,
} as const;

/** Parses one frame; a bad frame is an error naming what was wrong. */
export function parseMessage<T>(
  schema: z.ZodType<T>,
  data: unknown,
): { ok: true; message: T } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(String(data));
  } catch {
    return { ok: false, error: 'not JSON' };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, message: parsed.data };
  const issue = parsed.error.issues[0]!;
  return {
    ok: false,
    error: `${issue.path.join('.') || 'message'}: ${issue.message}`,
  };
}
