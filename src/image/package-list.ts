import type { Arch } from '../vmm/driver.js';
import type { ImageProfile } from './image-types.js';

/** Debian's name for each of firelab's architectures. */
export const DEBIAN_ARCH = { x86_64: 'amd64', arm64: 'arm64' } as const;

/**
 * What a test image needs: the kernel (modules come from the same
 * package), what the guest init uses (curl, iproute2, busybox for the
 * initramfs and `reboot -f`), what the runner stand-in uses (python3,
 * git) and a small toolchain for jobs. tiny-initramfs only satisfies the
 * kernel's dependency on an initramfs generator: it is the smallest one
 * and we build our own initramfs anyway.
 */
const TEST_PACKAGES = [
  'busybox-static',
  'ca-certificates',
  'curl',
  'gcc',
  'git',
  'iproute2',
  'libc6-dev',
  'make',
  'procps',
  'python3',
  'tiny-initramfs',
] as const;

/** Production adds a real init system and Docker for `docker build` jobs. */
const PRODUCTION_EXTRA = ['docker.io', 'systemd', 'systemd-sysv'] as const;

/**
 * The Debian packages installed in an image, sorted so that the list (and
 * with it the image id) does not depend on insertion order. The real
 * gitlab-runner is not in this list: it comes from GitLab's own
 * repository (see `mmdebstrapArgs`).
 */
export function packageList(profile: ImageProfile, arch: Arch): string[] {
  const kernel = `linux-image-${DEBIAN_ARCH[arch]}`;
  const extra = profile === 'production' ? PRODUCTION_EXTRA : [];
  return [kernel, ...TEST_PACKAGES, ...extra].sort();
}

/**
 * Kernel module folders left out of test images: guests are microVMs with
 * virtio devices only, and these folders are most of the kernel package.
 * Production keeps every module because Docker-in-VM jobs load netfilter,
 * overlay and bridge modules on demand.
 */
const TEST_MODULE_EXCLUDES = [
  'drivers/bluetooth',
  'drivers/gpu',
  'drivers/infiniband',
  'drivers/isdn',
  'drivers/media',
  'drivers/net/wireless',
  'drivers/staging',
  'net/bluetooth',
  'net/wireless',
  'net/mac80211',
  'sound',
] as const;

/** dpkg `path-exclude` patterns: documentation, and for tests, modules. */
export function pathExcludes(profile: ImageProfile): string[] {
  const docs = ['/usr/share/doc/*', '/usr/share/man/*', '/usr/share/info/*'];
  if (profile === 'production') return docs;
  const modules = TEST_MODULE_EXCLUDES.map(
    (dir) => `/lib/modules/*/kernel/${dir}/*`,
  );
  return [...docs, ...modules];
}
