import { copyFile, mkdir, mkdtemp, readdir, rename } from 'node:fs/promises';
import { chmod, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CleanupStack } from '../lib/cleanup.js';
import { withContext } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import type { Arch } from '../vmm/driver.js';
import { guestFiles, GUEST_INIT_PATH } from '../guest/guest-files.js';
import type { GuestFile } from '../guest/guest-files.js';
import { removeBuildDir } from './build-dir.js';
import { formatBytes, writeExt4Image } from './ext4-image.js';
import { imageId, imageRecipe } from './image-recipe.js';
import type { ImageRecipe } from './image-recipe.js';
import { artifactsIn, imageDir, readCachedImage } from './image-cache.js';
import { INITRD_FILE, KERNEL_FILE, ROOTFS_FILE } from './image-cache.js';
import { writeManifest } from './image-cache.js';
import type { ImageManifest } from './image-cache.js';
import type { ImageArtifacts, ImageProfile } from './image-types.js';
import { buildInitramfs } from './initramfs.js';
import { mmdebstrapArgs } from './mmdebstrap-args.js';
import { runWithLines } from './run-with-lines.js';

export interface BuildImageOptions {
  profile: ImageProfile;
  arch: Arch;
  cacheDir: string;
  log: Logger;
  onProgress?: (step: string) => void;
  signal?: AbortSignal;
  /** GitLab's gitlab-runner package repository (production images). */
  runnerPackageUrl?: string;
}

/** Kernel arguments each profile needs; see `ImageArtifacts.bootArgs`. */
const BOOT_ARGS: Record<ImageProfile, string[]> = {
  test: [`init=${GUEST_INIT_PATH}`],
  production: ['init=/lib/systemd/systemd', 'net.ifnames=0'],
};

/**
 * Builds a guest image, or returns the cached one with the same recipe id
 * at once. The build runs mmdebstrap into a temporary folder under
 * `cacheDir`, adds firelab's guest files, copies the kernel out, builds
 * the initramfs and writes the ext4 file, then renames the folder into
 * place, so a cache folder is either complete or absent. On failure or
 * abort the partial build is removed and the error says which image.
 * Needs root (mmdebstrap's root mode). Production images fetch the real
 * gitlab-runner from `runnerPackageUrl`; that path is untested here.
 */
export async function buildImage(
  opts: BuildImageOptions,
): Promise<ImageArtifacts> {
  const progress = opts.onProgress ?? (() => undefined);
  const files = await guestFiles(opts.profile);
  const recipe = imageRecipe({ ...opts, guestFiles: files });
  const id = imageId(recipe);
  const finalDir = imageDir(opts.cacheDir, { id, ...opts });
  const cached = await readCachedImage(finalDir);
  if (cached) {
    progress(`image ${id} cached`);
    return cached;
  }

  await mkdir(opts.cacheDir, { recursive: true });
  const tmp = await mkdtemp(join(opts.cacheDir, `.build-${id}-`));
  const cleanup = new CleanupStack();
  cleanup.push('remove partial image', () => removeBuildDir(tmp, opts.log));
  try {
    const manifest = await buildInto(tmp, id, recipe, files, opts);
    return await publish(tmp, finalDir, manifest, opts.log);
  } catch (error) {
    await cleanup.run(opts.log);
    throw withContext(`building ${opts.profile} image ${id}`, error);
  }
}

async function buildInto(
  dir: string,
  id: string,
  recipe: ImageRecipe,
  files: GuestFile[],
  opts: BuildImageOptions,
): Promise<ImageManifest> {
  const progress = opts.onProgress ?? (() => undefined);
  const rootDir = join(dir, 'root');
  const debCacheDir = join(opts.cacheDir, 'debs');
  await mkdir(debCacheDir, { recursive: true });

  progress(`mmdebstrap: ${recipe.suite}, ${recipe.packages.length} packages`);
  await runWithLines(
    'mmdebstrap',
    mmdebstrapArgs(recipe, { rootDir, debCacheDir }),
    {
      log: opts.log,
      signal: opts.signal,
      onLine: (line) => {
        if (line.startsWith('I: ')) progress(`mmdebstrap: ${line.slice(3)}`);
      },
    },
  );

  progress('installing guest files');
  await installGuestFiles(rootDir, files);
  const kernelVersion = await onlyKernelVersion(rootDir);
  await copyFile(
    join(rootDir, 'boot', `vmlinuz-${kernelVersion}`),
    join(dir, KERNEL_FILE),
  );

  progress('building initramfs');
  const bootArgs = BOOT_ARGS[opts.profile];
  await buildInitramfs({
    rootDir,
    kernelVersion,
    moduleNames: recipe.initramfsModules,
    defaultInit: bootArgs[0]!.slice('init='.length),
    stageDir: join(dir, 'initramfs'),
    outPath: join(dir, INITRD_FILE),
    log: opts.log,
    signal: opts.signal,
  });

  progress('writing ext4');
  const size = await writeExt4Image({
    rootDir,
    outPath: join(dir, ROOTFS_FILE),
    log: opts.log,
    signal: opts.signal,
  });
  progress(`ext4 written (${formatBytes(size)}, sparse)`);
  await removeBuildDir(rootDir, opts.log);

  const { profile, arch } = opts;
  const builtAt = new Date().toISOString();
  return { id, profile, arch, bootArgs, kernelVersion, builtAt, recipe };
}

async function installGuestFiles(rootDir: string, files: GuestFile[]) {
  for (const file of files) {
    const path = join(rootDir, file.path);
    await mkdir(dirname(path), { recursive: true });
    if (file.symlink) {
      await symlink(file.content, path);
      continue;
    }
    await writeFile(path, file.content);
    await chmod(path, file.mode);
  }
}

async function onlyKernelVersion(rootDir: string): Promise<string> {
  const versions = await readdir(join(rootDir, 'lib/modules'));
  if (versions.length !== 1) {
    throw new Error(
      `expected one kernel in the image, found ${versions.join(', ') || 'none'}`,
    );
  }
  return versions[0]!;
}

/** Renames into place; a concurrent build of the same id may have won. */
async function publish(
  tmp: string,
  finalDir: string,
  manifest: ImageManifest,
  log: Logger,
): Promise<ImageArtifacts> {
  await writeManifest(tmp, manifest);
  // mkdtemp made it 0700; hypervisors may run as another user.
  await chmod(tmp, 0o755);
  try {
    await rename(tmp, finalDir);
  } catch (error) {
    const other = await readCachedImage(finalDir);
    if (!other) throw error;
    await removeBuildDir(tmp, log);
    return other;
  }
  log.info({ imageId: manifest.id }, 'image built');
  return artifactsIn(finalDir, manifest);
}
