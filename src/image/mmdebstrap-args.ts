import type { ImageRecipe } from './image-recipe.js';
import { DEBIAN_ARCH } from './package-list.js';

/** Where the stand-in runner's job user lives; see src/guest. */
export const JOB_USER = 'gitlab-runner';

/**
 * The mmdebstrap command line for a recipe. Pure. Downloaded .debs are
 * synced in and out of `debCacheDir` so that rebuilding after a recipe
 * change does not fetch the whole archive again. Hooks are fixed strings
 * plus values validated by `imageRecipe`; mmdebstrap runs them with sh.
 */
export function mmdebstrapArgs(
  recipe: ImageRecipe,
  dirs: { rootDir: string; debCacheDir: string },
): string[] {
  return [
    '--variant=minbase',
    '--mode=root',
    '--format=directory',
    `--architectures=${DEBIAN_ARCH[recipe.arch]}`,
    '--aptopt=APT::Install-Recommends "false"',
    ...recipe.pathExcludes.map((p) => `--dpkgopt=path-exclude=${p}`),
    `--include=${recipe.packages.join(',')}`,
    ...debCacheArgs(dirs.debCacheDir),
    ...customizeHooks(recipe).map((hook) => `--customize-hook=${hook}`),
    recipe.suite,
    dirs.rootDir,
    recipe.mirror,
  ];
}

function debCacheArgs(debCacheDir: string): string[] {
  return [
    '--skip=download/empty',
    '--skip=essential/unlink',
    '--setup-hook=mkdir -p "$1"/var/cache/apt/archives/',
    `--setup-hook=sync-in ${debCacheDir} /var/cache/apt/archives/`,
    `--customize-hook=sync-out /var/cache/apt/archives ${debCacheDir}`,
  ];
}

function customizeHooks(recipe: ImageRecipe): string[] {
  // The initrd made by the kernel package's hook is never used: firelab
  // builds its own, so drop it rather than ship it.
  const common = ['rm -f "$1"/boot/initrd.img-*'];
  if (recipe.runnerPackageUrl === null) {
    return [...common, ...jobUserHooks()];
  }
  return [...common, ...runnerRepoHooks(recipe), ...systemdHooks()];
}

/** Test images: the stand-in runs job steps as this unprivileged user. */
function jobUserHooks(): string[] {
  return [
    `chroot "$1" useradd --system --create-home --shell /bin/bash ${JOB_USER}`,
  ];
}

/**
 * Production images: the real gitlab-runner from GitLab's repository. It
 * cannot be exercised on firelab's test machines (no access to GitLab's
 * servers there), so this path is written to GitLab's documented layout
 * but untested.
 */
function runnerRepoHooks(recipe: ImageRecipe): string[] {
  const url = recipe.runnerPackageUrl;
  const key = '/etc/apt/keyrings/gitlab-runner.asc';
  const list = '/etc/apt/sources.list.d/gitlab-runner.list';
  const source = `deb [signed-by=${key}] ${url}/debian/ ${recipe.suite} main`;
  return [
    'mkdir -p "$1"/etc/apt/keyrings',
    `chroot "$1" curl -fsSL ${url}/gpgkey -o ${key}`,
    `echo '${source}' > "$1"${list}`,
    'chroot "$1" apt-get update',
    'chroot "$1" apt-get install -y --no-install-recommends gitlab-runner',
    'chroot "$1" apt-get clean',
  ];
}

/** The guest init owns the serial console; a getty there would fight it. */
function systemdHooks(): string[] {
  return [
    'chroot "$1" systemctl mask getty@tty1.service serial-getty@ttyS0.service' +
      ' serial-getty@ttyAMA0.service',
    'chroot "$1" systemctl set-default multi-user.target',
  ];
}
