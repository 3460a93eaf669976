import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KernelOption } from '../vmm/firecracker/kernel-config.js';
import {
  KERNEL_HEADER_BYTES,
  kernelFormatProblem,
  missingKernelOptions,
} from './kernel-check.js';

const option = (name: string, value: 'y' | 'n'): KernelOption => ({
  name,
  value,
  why: 'test',
});

test('names the fragment options a .config lost', () => {
  const config = [
    'CONFIG_VIRTIO_MMIO=y',
    'CONFIG_EXT4_FS=m',
    '# CONFIG_MODULES is not set',
    'CONFIG_TUN=y',
    'CONFIG_SERIO_I8042="y"',
  ].join('\n');
  const missing = missingKernelOptions(config, [
    option('VIRTIO_MMIO', 'y'),
    option('EXT4_FS', 'y'),
    option('MODULES', 'n'),
    option('PVH', 'y'),
    option('TUN', 'n'),
    option('SERIO_I8042', 'y'),
    option('ACPI', 'n'),
  ]);
  assert.deepEqual(
    missing.map((o) => o.name),
    ['EXT4_FS', 'PVH', 'TUN', 'SERIO_I8042'],
  );
});

function header(fill: (bytes: Buffer) => void): Buffer {
  const bytes = Buffer.alloc(KERNEL_HEADER_BYTES);
  fill(bytes);
  return bytes;
}

const elf = (elfClass: number, machine: number) =>
  header((b) => {
    b.write('\x7fELF', 0, 'latin1');
    b[4] = elfClass;
    b.writeUInt16LE(machine, 18);
  });

test('tells an uncompressed kernel from what Firecracker cannot boot', () => {
  const arm64Image = header((b) => b.write('ARM\x64', 56, 'latin1'));
  const bzImage = header((b) => b.write('MZ', 0, 'latin1'));
  const gz = header((b) => b.set([0x1f, 0x8b], 0));
  const cases: ['x86_64' | 'arm64', Buffer, RegExp | undefined][] = [
    ['x86_64', elf(2, 62), undefined],
    ['x86_64', elf(2, 183), /not a 64-bit x86-64/],
    ['x86_64', elf(1, 62), /not a 64-bit x86-64/],
    ['x86_64', bzImage, /not an ELF vmlinux/],
    ['x86_64', gz, /gzip/],
    ['arm64', arm64Image, undefined],
    ['arm64', elf(2, 183), /not an arm64 Image/],
    ['arm64', gz, /gzip/],
  ];
  for (const [arch, bytes, problem] of cases) {
    const found = kernelFormatProblem(arch, bytes);
    if (problem) assert.match(found ?? '', problem, arch);
    else assert.equal(found, undefined, arch);
  }
});
