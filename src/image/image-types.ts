import type { Arch } from '../vmm/driver.js';

export const IMAGE_PROFILES = ['test', 'production'] as const;
export type ImageProfile = (typeof IMAGE_PROFILES)[number];

/**
 * A built guest image: a kernel, our own small initramfs and a raw ext4
 * root filesystem, all from the same Debian packages. `id` is the content
 * hash of the recipe that made it, so equal ids mean equal images.
 * `bootArgs` are kernel arguments this image needs (e.g. `init=`); the
 * caller adds them to `VmSpec.bootArgs`.
 */
export interface ImageArtifacts {
  id: string;
  kernelPath: string;
  initrdPath: string;
  rootfsPath: string;
  profile: ImageProfile;
  arch: Arch;
  bootArgs: string[];
}
