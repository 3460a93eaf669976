import type { Kysely, Selectable } from 'kysely';
import type { Arch } from '../vmm/driver.js';
import type { DemandRecord, DemandStatus } from './records.js';
import { OPEN_DEMAND_STATUSES } from './records.js';
import type { Database, DemandTable } from './schema.js';

export type NewDemand = Omit<
  DemandRecord,
  | 'status'
  | 'reason'
  | 'attempts'
  | 'createdAt'
  | 'updatedAt'
  | 'finishedAt'
  | 'retryOf'
  | 'groupId'
  | 'notBefore'
> & { retryOf?: number | null; groupId?: number | null };

/**
 * Records a demand for a job unless one exists. Returns true only for the
 * caller that created it: the database's primary key, not a read-then-
 * write, guarantees one demand per job id across concurrent callers.
 */
export async function insertDemand(
  db: Kysely<Database>,
  demand: NewDemand,
  now: number,
): Promise<boolean> {
  const result = await db
    .insertInto('demands')
    .values({
      job_id: demand.jobId,
      project_id: demand.projectId,
      pipeline_id: demand.pipelineId,
      job_name: demand.jobName,
      tags: JSON.stringify(demand.tags),
      arch: demand.arch,
      vcpus: demand.vcpus,
      memory_mib: demand.memoryMiB,
      status: 'queued',
      attempts: 0,
      gitlab_status: demand.gitlabStatus,
      job_created_at: demand.jobCreatedAt,
      retry_of: demand.retryOf ?? null,
      group_id: demand.groupId ?? null,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.column('job_id').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

export async function getDemand(
  db: Kysely<Database>,
  jobId: number,
): Promise<DemandRecord | undefined> {
  const row = await db
    .selectFrom('demands')
    .selectAll()
    .where('job_id', '=', jobId)
    .executeTakeFirst();
  return row && toDemand(row);
}

export async function listDemands(
  db: Kysely<Database>,
  filter: { statuses?: readonly DemandStatus[]; limit?: number } = {},
): Promise<DemandRecord[]> {
  let query = db.selectFrom('demands').selectAll().orderBy('job_id', 'asc');
  if (filter.statuses)
    query = query.where('status', 'in', [...filter.statuses]);
  if (filter.limit) query = query.limit(filter.limit);
  return (await query.execute()).map(toDemand);
}

/** Demands recorded in [from, to): the jobs of a time window. */
export async function listDemandsCreatedBetween(
  db: Kysely<Database>,
  from: number,
  to: number,
): Promise<DemandRecord[]> {
  const rows = await db
    .selectFrom('demands')
    .selectAll()
    .where('created_at', '>=', from)
    .where('created_at', '<', to)
    .orderBy('created_at')
    .execute();
  return rows.map(toDemand);
}

/** The demands of these jobs (those known), in chunks the drivers accept. */
export async function listDemandsByJobIds(
  db: Kysely<Database>,
  jobIds: readonly number[],
): Promise<DemandRecord[]> {
  const found: DemandRecord[] = [];
  for (let i = 0; i < jobIds.length; i += 1000) {
    const rows = await db
      .selectFrom('demands')
      .selectAll()
      .where('job_id', 'in', jobIds.slice(i, i + 1000))
      .execute();
    found.push(...rows.map(toDemand));
  }
  return found;
}

export function listOpenDemands(db: Kysely<Database>): Promise<DemandRecord[]> {
  return listDemands(db, { statuses: OPEN_DEMAND_STATUSES });
}

/**
 * Moves a demand to `status` if it is currently in one of `from`; returns
 * whether it moved. The guard makes concurrent transitions safe.
 */
export async function transitionDemand(
  db: Kysely<Database>,
  jobId: number,
  from: readonly DemandStatus[],
  to: DemandStatus,
  now: number,
  fields: {
    reason?: string | null;
    gitlabStatus?: string;
    attempts?: number;
    notBefore?: number | null;
  } = {},
): Promise<boolean> {
  const finished = ['done', 'canceled', 'expired', 'failed', 'lost'].includes(
    to,
  );
  const result = await db
    .updateTable('demands')
    .set({
      status: to,
      updated_at: now,
      ...(finished ? { finished_at: now } : {}),
      ...(fields.reason !== undefined ? { reason: fields.reason } : {}),
      ...(fields.gitlabStatus ? { gitlab_status: fields.gitlabStatus } : {}),
      ...(fields.attempts !== undefined ? { attempts: fields.attempts } : {}),
      ...(fields.notBefore !== undefined
        ? { not_before: fields.notBefore }
        : {}),
    })
    .where('job_id', '=', jobId)
    .where('status', 'in', [...from])
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function setDemandReason(
  db: Kysely<Database>,
  jobId: number,
  reason: string | null,
): Promise<void> {
  await db
    .updateTable('demands')
    .set({ reason })
    .where('job_id', '=', jobId)
    .execute();
}

export async function setGitlabStatus(
  db: Kysely<Database>,
  jobId: number,
  gitlabStatus: string,
): Promise<void> {
  await db
    .updateTable('demands')
    .set({ gitlab_status: gitlabStatus })
    .where('job_id', '=', jobId)
    .execute();
}

/** Marks a job as the retry of a lost one (its hook may have come first). */
export async function setRetryOf(
  db: Kysely<Database>,
  jobId: number,
  retryOf: number,
): Promise<void> {
  await db
    .updateTable('demands')
    .set({ retry_of: retryOf })
    .where('job_id', '=', jobId)
    .execute();
}

function toDemand(row: Selectable<DemandTable>): DemandRecord {
  return {
    jobId: Number(row.job_id),
    projectId: Number(row.project_id),
    pipelineId: Number(row.pipeline_id),
    jobName: row.job_name,
    tags: JSON.parse(row.tags) as string[],
    arch: row.arch as Arch,
    vcpus: row.vcpus,
    memoryMiB: row.memory_mib,
    status: row.status as DemandStatus,
    reason: row.reason,
    attempts: row.attempts,
    gitlabStatus: row.gitlab_status,
    jobCreatedAt: nullableNumber(row.job_created_at),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    finishedAt: nullableNumber(row.finished_at),
    retryOf: nullableNumber(row.retry_of),
    groupId: nullableNumber(row.group_id),
    notBefore: nullableNumber(row.not_before),
  };
}

export function nullableNumber(value: number | string | null): number | null {
  return value === null ? null : Number(value);
}
