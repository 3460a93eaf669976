import { errorMessage } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { Store } from '../../store/index.js';
import type { AgentLink } from './agent-link.js';
import type { AgentRegistry } from './agent-registry.js';

export interface AgentSyncDeps {
  store: Store;
  agents: AgentRegistry;
  serverId: string;
  /** VMs whose start request is still on its way: not to be stopped yet. */
  provisioning: () => ReadonlySet<string>;
  /** Places queued demands on this server's agents. */
  schedule: () => Promise<void>;
  log: Logger;
}

/** Every this many passes the server tells the store its agents are alive. */
const TOUCH_EVERY = 10;

/**
 * Brings this server's agents in line with the store. The store says
 * what each VM should be doing; any server may decide that (a webhook
 * for a VM's job can reach any of them), but only the server holding an
 * agent's connection can tell the agent. So every decision is written to
 * the store first, and this loop, on every server, delivers what concerns
 * its own agents: stop the VMs marked `stopping`, withdraw the runner
 * token of VMs that are `busy`, and place queued jobs on its agents.
 * Each instruction goes to a connection once; a new connection (a
 * reconnect, or a restarted server) gets them all again, and agents treat
 * repeats as no-ops.
 */
export class AgentSync {
  #deps: AgentSyncDeps;
  #delivered = new WeakMap<AgentLink, Set<string>>();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #passes = 0;

  constructor(deps: AgentSyncDeps) {
    this.#deps = deps;
  }

  start(intervalMs: number): void {
    this.#timer = setInterval(() => this.kick(), intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
  }

  /** Runs a pass soon; calls during a pass cause one more pass. */
  kick(): void {
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#pass()
      .catch((error: unknown) =>
        this.#deps.log.warn({ err: errorMessage(error) }, 'agent sync failed'),
      )
      .finally(() => {
        this.#running = undefined;
        if (this.#again) {
          this.#again = false;
          this.kick();
        }
      });
  }

  /** Resolves when no pass is running or due. */
  async settled(): Promise<void> {
    while (this.#running) await this.#running;
  }

  async #pass(): Promise<void> {
    const { store, agents } = this.#deps;
    const links = agents.list();
    if (links.length === 0) return;
    const vms = await store.vms.listVms({ states: ['stopping', 'busy'] });
    const provisioning = this.#deps.provisioning();
    const wanted = new Set<string>();
    for (const vm of vms) {
      const link = agents.get(vm.agentId);
      if (!link || provisioning.has(vm.id)) continue;
      const what = `${vm.state} ${vm.id}`;
      wanted.add(what);
      this.#deliver(link, what, () =>
        vm.state === 'stopping' ? link.stopVm(vm.id) : link.jobTaken(vm.id),
      );
    }
    // Forget what was delivered for VMs that have moved on.
    for (const link of links) {
      const sent = this.#delivered.get(link);
      for (const what of sent ?? []) if (!wanted.has(what)) sent!.delete(what);
    }
    if (this.#passes++ % TOUCH_EVERY === 0) {
      await store.agents.touchAgents(
        links.map((l) => l.id),
        this.#deps.serverId,
        Date.now(),
      );
    }
    await this.#deps.schedule();
  }

  #deliver(link: AgentLink, what: string, send: () => Promise<void>): void {
    let sent = this.#delivered.get(link);
    if (!sent) this.#delivered.set(link, (sent = new Set()));
    if (sent.has(what)) return;
    sent.add(what);
    send().catch((error: unknown) => {
      // Tried again on a later pass.
      sent.delete(what);
      this.#deps.log.warn(
        { agentId: link.id, what, err: errorMessage(error) },
        'agent instruction failed',
      );
    });
  }
}
