import type { Kysely, Selectable, Updateable } from 'kysely';
import type { Arch } from '../vmm/driver.js';
import { nullableNumber } from './demands.js';
import type { VmRecord, VmState } from './records.js';
import { LIVE_VM_STATES } from './records.js';
import type { Database, VmTable } from './schema.js';

export type NewVm = Pick<
  VmRecord,
  | 'id'
  | 'demandJobId'
  | 'projectId'
  | 'agentId'
  | 'arch'
  | 'vcpus'
  | 'memoryMiB'
> & { groupId?: number | null };

/** Records a VM the moment it is decided, so its capacity is reserved. */
export async function insertVm(
  db: Kysely<Database>,
  vm: NewVm,
  now: number,
): Promise<void> {
  await db
    .insertInto('vms')
    .values({
      id: vm.id,
      demand_job_id: vm.demandJobId,
      project_id: vm.projectId,
      group_id: vm.groupId ?? null,
      agent_id: vm.agentId,
      arch: vm.arch,
      vcpus: vm.vcpus,
      memory_mib: vm.memoryMiB,
      state: 'creating',
      created_at: now,
    })
    .execute();
}

export async function getVm(
  db: Kysely<Database>,
  id: string,
): Promise<VmRecord | undefined> {
  const row = await db
    .selectFrom('vms')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toVm(row);
}

export async function listVms(
  db: Kysely<Database>,
  filter: {
    states?: readonly VmState[];
    agentId?: string;
    limit?: number;
  } = {},
): Promise<VmRecord[]> {
  let query = db.selectFrom('vms').selectAll().orderBy('created_at', 'asc');
  if (filter.states) query = query.where('state', 'in', [...filter.states]);
  if (filter.agentId) query = query.where('agent_id', '=', filter.agentId);
  if (filter.limit) query = query.limit(filter.limit);
  return (await query.execute()).map(toVm);
}

/**
 * VMs that held capacity at some moment of [from, to): made before `to`
 * and not ended before `from` (live ones have no end yet).
 */
export async function listVmsOverlapping(
  db: Kysely<Database>,
  from: number,
  to: number,
): Promise<VmRecord[]> {
  const rows = await db
    .selectFrom('vms')
    .selectAll()
    .where('created_at', '<', to)
    .where((eb) =>
      eb.or([eb('ended_at', '>=', from), eb('ended_at', 'is', null)]),
    )
    .orderBy('created_at')
    .execute();
  return rows.map(toVm);
}

export function listLiveVms(db: Kysely<Database>): Promise<VmRecord[]> {
  return listVms(db, { states: LIVE_VM_STATES });
}

export async function findVmByRunner(
  db: Kysely<Database>,
  runnerId: number,
): Promise<VmRecord | undefined> {
  const row = await db
    .selectFrom('vms')
    .selectAll()
    .where('runner_id', '=', runnerId)
    .executeTakeFirst();
  return row && toVm(row);
}

/** The live VM whose runner took `jobId`, or that was made for it. */
export async function findVmsForJob(
  db: Kysely<Database>,
  jobId: number,
): Promise<VmRecord[]> {
  const rows = await db
    .selectFrom('vms')
    .selectAll()
    .where((eb) =>
      eb.or([eb('took_job_id', '=', jobId), eb('demand_job_id', '=', jobId)]),
    )
    .execute();
  return rows.map(toVm);
}

export interface VmChanges {
  state?: VmState;
  runnerId?: number | null;
  tookJobId?: number;
  demandJobId?: number;
  bootedAt?: number;
  jobStartedAt?: number;
  endedAt?: number;
  exitKind?: string;
  exitDetail?: string;
  consolePath?: string;
}

/**
 * Updates a VM if its state is one of `from` (any state when omitted);
 * returns whether it changed. The guard keeps late events (a boot report
 * after a stop) from moving a VM backwards.
 */
export async function updateVm(
  db: Kysely<Database>,
  id: string,
  changes: VmChanges,
  from?: readonly VmState[],
): Promise<boolean> {
  let query = db.updateTable('vms').set(toRow(changes)).where('id', '=', id);
  if (from) query = query.where('state', 'in', [...from]);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

function toRow(changes: VmChanges): Updateable<VmTable> {
  const row: Updateable<VmTable> = {};
  if (changes.state !== undefined) row.state = changes.state;
  if (changes.runnerId !== undefined) row.runner_id = changes.runnerId;
  if (changes.tookJobId !== undefined) row.took_job_id = changes.tookJobId;
  if (changes.demandJobId !== undefined)
    row.demand_job_id = changes.demandJobId;
  if (changes.bootedAt !== undefined) row.booted_at = changes.bootedAt;
  if (changes.jobStartedAt !== undefined)
    row.job_started_at = changes.jobStartedAt;
  if (changes.endedAt !== undefined) row.ended_at = changes.endedAt;
  if (changes.exitKind !== undefined) row.exit_kind = changes.exitKind;
  if (changes.exitDetail !== undefined) row.exit_detail = changes.exitDetail;
  if (changes.consolePath !== undefined) row.console_path = changes.consolePath;
  return row;
}

function toVm(row: Selectable<VmTable>): VmRecord {
  return {
    id: row.id,
    demandJobId: Number(row.demand_job_id),
    projectId: Number(row.project_id),
    groupId: nullableNumber(row.group_id),
    agentId: row.agent_id,
    runnerId: nullableNumber(row.runner_id),
    tookJobId: nullableNumber(row.took_job_id),
    state: row.state as VmState,
    arch: row.arch as Arch,
    vcpus: row.vcpus,
    memoryMiB: row.memory_mib,
    createdAt: Number(row.created_at),
    bootedAt: nullableNumber(row.booted_at),
    jobStartedAt: nullableNumber(row.job_started_at),
    endedAt: nullableNumber(row.ended_at),
    exitKind: row.exit_kind,
    exitDetail: row.exit_detail,
    consolePath: row.console_path,
  };
}
