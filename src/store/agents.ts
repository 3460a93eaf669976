import type { Kysely, Selectable } from 'kysely';
import type { Arch } from '../vmm/driver.js';
import { nullableNumber } from './demands.js';
import type { AgentRecord } from './records.js';
import type { AgentTable, Database } from './schema.js';

/** What an agent reports about itself when it connects. */
export type AgentReport = Pick<
  AgentRecord,
  | 'id'
  | 'hostname'
  | 'arch'
  | 'vcpus'
  | 'memoryMiB'
  | 'hypervisor'
  | 'acceleration'
>;

/**
 * An agent connected to `serverId`: records (or refreshes) what it offers.
 * Its credential and drain flag are left as they are.
 */
export async function agentOnline(
  db: Kysely<Database>,
  agent: AgentReport,
  serverId: string,
  now: number,
): Promise<void> {
  const values = {
    ...reportColumns(agent),
    state: 'online',
    server_id: serverId,
    last_seen_at: now,
  };
  await db
    .insertInto('agents')
    .values({ ...values, first_seen_at: now })
    .onConflict((oc) => oc.column('id').doUpdateSet(values))
    .execute();
}

/**
 * The agent's connection to `serverId` ended. A newer connection to
 * another server is left alone.
 */
export async function agentOffline(
  db: Kysely<Database>,
  id: string,
  serverId: string,
  now: number,
): Promise<void> {
  await db
    .updateTable('agents')
    .set({ state: 'offline', server_id: null, last_seen_at: now })
    .where('id', '=', id)
    .where('server_id', '=', serverId)
    .execute();
}

/** The server still holds these agents' connections. */
export async function touchAgents(
  db: Kysely<Database>,
  ids: readonly string[],
  serverId: string,
  now: number,
): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('agents')
    .set({ last_seen_at: now })
    .where('id', 'in', ids)
    .where('server_id', '=', serverId)
    .execute();
}

export async function setAgentDraining(
  db: Kysely<Database>,
  id: string,
  draining: boolean,
): Promise<boolean> {
  const result = await db
    .updateTable('agents')
    .set({ draining: draining ? 1 : 0 })
    .where('id', '=', id)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function getAgent(
  db: Kysely<Database>,
  id: string,
): Promise<AgentRecord | undefined> {
  const row = await db
    .selectFrom('agents')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toAgent(row);
}

export async function listAgents(db: Kysely<Database>): Promise<AgentRecord[]> {
  const rows = await db
    .selectFrom('agents')
    .selectAll()
    .orderBy('id')
    .execute();
  return rows.map(toAgent);
}

/** Agents no server has heard from since `before`. */
export async function listSilentAgents(
  db: Kysely<Database>,
  before: number,
): Promise<AgentRecord[]> {
  const rows = await db
    .selectFrom('agents')
    .selectAll()
    .where('last_seen_at', '<', before)
    .orderBy('id')
    .execute();
  return rows.map(toAgent);
}

/** Stores a one-time enrolment token (by its hash) valid until `expiresAt`. */
export async function createEnrolmentToken(
  db: Kysely<Database>,
  tokenHash: string,
  now: number,
  expiresAt: number,
): Promise<void> {
  await db
    .insertInto('enrolment_tokens')
    .values({ token_hash: tokenHash, created_at: now, expires_at: expiresAt })
    .execute();
}

/**
 * Spends an enrolment token on agent `agentId` and stores the hash of its
 * new credential, in one transaction: a token works once, and only
 * before it expires, and a name that already has a credential is not
 * taken over (an operator frees it with `forgetAgent`). Returns 'ok' or
 * why not.
 */
export async function enrolAgent(
  db: Kysely<Database>,
  tokenHash: string,
  agent: AgentReport,
  credentialHash: string,
  now: number,
): Promise<'ok' | 'bad-token' | 'name-taken'> {
  return db.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom('agents')
      .select('credential_hash')
      .where('id', '=', agent.id)
      .executeTakeFirst();
    if (existing?.credential_hash) return 'name-taken';
    const spent = await trx
      .updateTable('enrolment_tokens')
      .set({ used_at: now, agent_id: agent.id })
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    if (spent.numUpdatedRows === 0n) return 'bad-token';
    const values = {
      ...reportColumns(agent),
      state: 'offline',
      last_seen_at: now,
      first_seen_at: now,
      credential_hash: credentialHash,
    };
    await trx
      .insertInto('agents')
      .values(values)
      .onConflict((oc) =>
        oc.column('id').doUpdateSet({ credential_hash: credentialHash }),
      )
      .execute();
    return 'ok';
  });
}

/**
 * Drops an agent's credential, so its name can be enrolled again (a host
 * rebuilt, a credential lost). Its connection, if any, is not cut here.
 */
export async function forgetAgent(
  db: Kysely<Database>,
  id: string,
): Promise<boolean> {
  const result = await db
    .updateTable('agents')
    .set({ credential_hash: null })
    .where('id', '=', id)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Marks agents offline that no server has heard from (their server died). */
export async function markSilentOffline(
  db: Kysely<Database>,
  before: number,
): Promise<void> {
  await db
    .updateTable('agents')
    .set({ state: 'offline', server_id: null })
    .where('state', '=', 'online')
    .where('last_seen_at', '<', before)
    .execute();
}

/** The stored credential hash of an agent, if it has enrolled. */
export async function getCredentialHash(
  db: Kysely<Database>,
  id: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('agents')
    .select('credential_hash')
    .where('id', '=', id)
    .executeTakeFirst();
  return row?.credential_hash ?? undefined;
}

function reportColumns(agent: AgentReport) {
  return {
    id: agent.id,
    // The column predates the field's name.
    name: agent.hostname,
    arch: agent.arch,
    vcpus: agent.vcpus,
    memory_mib: agent.memoryMiB,
    hypervisor: agent.hypervisor,
    acceleration: agent.acceleration,
  };
}

function toAgent(row: Selectable<AgentTable>): AgentRecord {
  return {
    id: row.id,
    hostname: row.name,
    arch: row.arch as Arch,
    vcpus: row.vcpus,
    memoryMiB: row.memory_mib,
    hypervisor: row.hypervisor,
    acceleration: row.acceleration,
    state: row.state as AgentRecord['state'],
    draining: Number(row.draining) === 1,
    serverId: row.server_id,
    lastSeenAt: Number(row.last_seen_at),
    firstSeenAt: nullableNumber(row.first_seen_at),
  };
}
