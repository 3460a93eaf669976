import type { Kysely, Selectable } from 'kysely';
import { nullableNumber } from './demands.js';
import type { ProjectRecord } from './records.js';
import type { Database, ProjectTable } from './schema.js';

/**
 * Records (or renames) a project as GitLab describes it, so reports can
 * show paths instead of ids. GitLab is the source of truth: the last
 * answer wins.
 */
export async function saveProject(
  db: Kysely<Database>,
  project: Omit<ProjectRecord, 'updatedAt'>,
  now: number,
): Promise<void> {
  const values = {
    path: project.path,
    group_id: project.groupId,
    group_path: project.groupPath,
    updated_at: now,
  };
  await db
    .insertInto('projects')
    .values({ id: project.id, ...values })
    .onConflict((oc) => oc.column('id').doUpdateSet(values))
    .execute();
}

/** Every project firelab has named: one row per served project. */
export async function listProjects(
  db: Kysely<Database>,
): Promise<ProjectRecord[]> {
  const rows = await db
    .selectFrom('projects')
    .selectAll()
    .orderBy('id')
    .execute();
  return rows.map(toProject);
}

function toProject(row: Selectable<ProjectTable>): ProjectRecord {
  return {
    id: Number(row.id),
    path: row.path,
    groupId: nullableNumber(row.group_id),
    groupPath: row.group_path,
    updatedAt: Number(row.updated_at),
  };
}
