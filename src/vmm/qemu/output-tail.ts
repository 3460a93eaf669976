import { open } from 'node:fs/promises';

/** The last `lines` lines of a child's output, kept as it streams. */
export class OutputTail {
  #lines: string[] = [];
  #partial = '';
  readonly #max: number;

  constructor(max = 10) {
    this.#max = max;
  }

  push(chunk: Buffer | string): void {
    const parts = (this.#partial + chunk.toString()).split('\n');
    this.#partial = parts.pop() ?? '';
    this.#lines.push(...parts.filter((line) => line.trim() !== ''));
    this.#lines.splice(0, Math.max(0, this.#lines.length - this.#max));
  }

  text(): string {
    return [...this.#lines, this.#partial].filter(Boolean).join('\n');
  }
}

/** The last `lines` non-empty lines of a file ('' if it cannot be read). */
export async function fileTail(path: string, lines = 10): Promise<string> {
  const handle = await open(path, 'r').catch(() => undefined);
  if (!handle) return '';
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, 16 * 1024);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    const tail = new OutputTail(lines);
    tail.push(buffer);
    return tail.text();
  } finally {
    await handle.close();
  }
}
