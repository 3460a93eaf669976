import type { Kysely, Selectable } from 'kysely';
import type { Arch } from '../vmm/driver.js';
import type { AgentRecord } from './records.js';
import type { AgentTable, Database } from './schema.js';

/** Records (or refreshes) an agent and what it offers. */
export async function upsertAgent(
  db: Kysely<Database>,
  agent: AgentRecord,
): Promise<void> {
  const values = {
    id: agent.id,
    name: agent.name,
    arch: agent.arch,
    vcpus: agent.vcpus,
    memory_mib: agent.memoryMiB,
    hypervisor: agent.hypervisor,
    acceleration: agent.acceleration,
    state: agent.state,
    last_seen_at: agent.lastSeenAt,
  };
  await db
    .insertInto('agents')
    .values(values)
    .onConflict((oc) => oc.column('id').doUpdateSet(values))
    .execute();
}

export async function setAgentState(
  db: Kysely<Database>,
  id: string,
  state: AgentRecord['state'],
  now: number,
): Promise<void> {
  await db
    .updateTable('agents')
    .set({ state, last_seen_at: now })
    .where('id', '=', id)
    .execute();
}

export async function listAgents(db: Kysely<Database>): Promise<AgentRecord[]> {
  const rows = await db
    .selectFrom('agents')
    .selectAll()
    .orderBy('id')
    .execute();
  return rows.map(toAgent);
}

function toAgent(row: Selectable<AgentTable>): AgentRecord {
  return {
    id: row.id,
    name: row.name,
    arch: row.arch as Arch,
    vcpus: row.vcpus,
    memoryMiB: row.memory_mib,
    hypervisor: row.hypervisor,
    acceleration: row.acceleration,
    state: row.state as AgentRecord['state'],
    lastSeenAt: Number(row.last_seen_at),
  };
}
