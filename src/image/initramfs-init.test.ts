import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initramfsInitScript, PROBE_OK_LINE } from './initramfs-init.js';

const script = initramfsInitScript({
  modules: ['/lib/modules/virtio.ko', '/lib/modules/ext4.ko'],
  defaultInit: '/sbin/firelab-init',
});

const cases: [string, RegExp][] = [
  ['runs under busybox', /^#!\/bin\/busybox sh\n/],
  [
    'loads modules in order',
    /insmod \/lib\/modules\/virtio\.ko[^\n]*\ninsmod \/lib\/modules\/ext4\.ko/,
  ],
  ['default init', /^init=\/sbin\/firelab-init$/m],
  ['init= from the command line wins', /init=\*\) init="\$\{arg#init=\}"/],
  [
    'probe answers and reboots',
    new RegExp(`firelab.probe\\) echo "${PROBE_OK_LINE}"; reboot -f`),
  ],
  ['mounts the root read-write', /mount -t ext4 -o rw "\$root" \/newroot/],
  ['hands over with switch_root', /exec switch_root \/newroot "\$init"$/m],
  ['failures power off', /die\(\) \{[^}]*reboot -f/],
];

for (const [name, pattern] of cases) {
  test(`initramfsInitScript: ${name}`, () => assert.match(script, pattern));
}

test('initramfsInitScript: valid sh', async () => {
  const { execFileSync } = await import('node:child_process');
  execFileSync('sh', ['-n'], { input: script });
});
