import type { Kysely } from 'kysely';
import * as agents from './agents.js';
import { openDatabase } from './database.js';
import type { DatabaseConfig } from './database.js';
import * as deliveries from './deliveries.js';
import * as demands from './demands.js';
import * as leases from './leases.js';
import * as projects from './projects.js';
import type { Database } from './schema.js';
import * as vms from './vms.js';

export type { DatabaseConfig } from './database.js';
export type * from './records.js';
export type { AgentReport } from './agents.js';
export type { NewDemand } from './demands.js';
export type { NewVm, VmChanges } from './vms.js';

type Tail<F> = F extends (db: Kysely<Database>, ...rest: infer R) => infer T
  ? (...rest: R) => T
  : never;
type Bound<M> = { [K in keyof M]: Tail<M[K]> };

function bind<M extends Record<string, unknown>>(
  db: Kysely<Database>,
  module: M,
): Bound<M> {
  const bound: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(module)) {
    if (typeof fn === 'function') {
      bound[name] = (...args: unknown[]) => fn(db, ...args);
    }
  }
  return bound as Bound<M>;
}

const { nullableNumber: _helper, ...demandQueries } = demands;

/**
 * All of firelab's durable state, behind query functions; no SQL leaves
 * this folder. The same code runs on the embedded database and on
 * PostgreSQL.
 */
export interface Store {
  demands: Bound<typeof demandQueries>;
  vms: Bound<typeof vms>;
  deliveries: Bound<typeof deliveries>;
  agents: Bound<typeof agents>;
  leases: Bound<typeof leases>;
  projects: Bound<typeof projects>;
  close(): Promise<void>;
}

export async function openStore(config: DatabaseConfig): Promise<Store> {
  const db = await openDatabase(config);
  return {
    demands: bind(db, demandQueries),
    vms: bind(db, vms),
    deliveries: bind(db, deliveries),
    agents: bind(db, agents),
    leases: bind(db, leases),
    projects: bind(db, projects),
    close: () => db.destroy(),
  };
}
