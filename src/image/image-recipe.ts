import { createHash } from 'node:crypto';
import type { Arch } from '../vmm/driver.js';
import type { GuestFile } from '../guest/guest-files.js';
import type { ImageProfile } from './image-types.js';
import { packageList, pathExcludes } from './package-list.js';

/**
 * Bump when the build steps change in a way the recipe fields do not show
 * (a new hook, another initramfs layout), so old cached images are not
 * reused by mistake.
 */
export const RECIPE_VERSION = 1;

export const DEFAULT_SUITE = 'bookworm';
export const DEFAULT_MIRROR = 'http://deb.debian.org/debian';

/** GitLab's official package repository for gitlab-runner. */
export const DEFAULT_RUNNER_PACKAGE_URL =
  'https://packages.gitlab.com/runner/gitlab-runner';

/** Modules our initramfs loads before it can mount the root disk. */
export const INITRAMFS_MODULES = [
  'virtio_mmio',
  'virtio_blk',
  'virtio_net',
  'ext4',
] as const;

/** Everything that decides an image's content, and nothing else. */
export interface ImageRecipe {
  version: number;
  profile: ImageProfile;
  arch: Arch;
  suite: string;
  mirror: string;
  packages: string[];
  pathExcludes: string[];
  initramfsModules: string[];
  /** GitLab's repository for the real runner (production only). */
  runnerPackageUrl: string | null;
  /** Guest files as path, mode and sha256 of the content, sorted by path. */
  guestFiles: { path: string; mode: number; sha256: string }[];
}

/**
 * The recipe for an image. Pure: the same inputs always give an equal
 * recipe. The runner repository URL is validated here because it ends up
 * in an mmdebstrap shell hook.
 */
export function imageRecipe(opts: {
  profile: ImageProfile;
  arch: Arch;
  guestFiles: readonly GuestFile[];
  runnerPackageUrl?: string;
}): ImageRecipe {
  const production = opts.profile === 'production';
  return {
    version: RECIPE_VERSION,
    profile: opts.profile,
    arch: opts.arch,
    suite: DEFAULT_SUITE,
    mirror: DEFAULT_MIRROR,
    packages: packageList(opts.profile, opts.arch),
    pathExcludes: pathExcludes(opts.profile),
    initramfsModules: [...INITRAMFS_MODULES],
    runnerPackageUrl: production
      ? checkedRepoUrl(opts.runnerPackageUrl ?? DEFAULT_RUNNER_PACKAGE_URL)
      : null,
    guestFiles: opts.guestFiles
      .map((f) => ({ path: f.path, mode: f.mode, sha256: sha256(f.content) }))
      .sort((a, b) => a.path.localeCompare(b.path)),
  };
}

/**
 * The image id: the first 20 hex digits of the sha256 of the recipe as
 * canonical JSON (keys in a fixed order by construction).
 */
export function imageId(recipe: ImageRecipe): string {
  return sha256(JSON.stringify(recipe)).slice(0, 20);
}

const SAFE_URL = /^https?:\/\/[A-Za-z0-9.:_/~-]+$/;

function checkedRepoUrl(url: string): string {
  if (!SAFE_URL.test(url)) {
    throw new Error(`invalid gitlab-runner repository URL ${url}`);
  }
  return url.replace(/\/+$/, '');
}

function sha256(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}
