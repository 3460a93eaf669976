import type { Logger } from './logger.js';

/**
 * A stack of cleanups. Each resource registers its cleanup the moment it
 * exists; `run` undoes them in reverse order and keeps going past
 * failures, logging each, so one stuck resource does not leak the others.
 */
export class CleanupStack {
  #steps: { name: string; fn: () => Promise<void> | void }[] = [];

  push(name: string, fn: () => Promise<void> | void): void {
    this.#steps.push({ name, fn });
  }

  async run(log?: Logger): Promise<void> {
    while (this.#steps.length > 0) {
      const step = this.#steps.pop()!;
      try {
        await step.fn();
      } catch (error) {
        log?.warn({ err: error, step: step.name }, 'cleanup step failed');
      }
    }
  }
}
