import { access, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageArtifacts } from './image-types.js';

export const KERNEL_FILE = 'vmlinuz';
export const INITRD_FILE = 'initrd.cpio';
export const ROOTFS_FILE = 'rootfs.ext4';
const MANIFEST_FILE = 'manifest.json';

/** Stored beside the artifacts; `recipe` records what made them. */
export interface ImageManifest {
  id: string;
  profile: ImageArtifacts['profile'];
  arch: ImageArtifacts['arch'];
  bootArgs: string[];
  kernelVersion: string;
  builtAt: string;
  recipe: unknown;
}

/** The folder of one image in the cache; its name says what it is. */
export function imageDir(
  cacheDir: string,
  m: Pick<ImageManifest, 'id' | 'profile' | 'arch'>,
): string {
  return join(cacheDir, `${m.profile}-${m.arch}-${m.id}`);
}

/** Artifacts with absolute paths for an image folder and its manifest. */
export function artifactsIn(dir: string, m: ImageManifest): ImageArtifacts {
  return {
    id: m.id,
    kernelPath: join(dir, KERNEL_FILE),
    initrdPath: join(dir, INITRD_FILE),
    rootfsPath: join(dir, ROOTFS_FILE),
    profile: m.profile,
    arch: m.arch,
    bootArgs: m.bootArgs,
  };
}

/**
 * The artifacts of a finished image folder, or undefined when the folder
 * is missing or incomplete. The manifest is written last, so its presence
 * plus the three files means the build completed.
 */
export async function readCachedImage(
  dir: string,
): Promise<ImageArtifacts | undefined> {
  const text = await readFile(join(dir, MANIFEST_FILE), 'utf8').catch(
    () => undefined,
  );
  if (text === undefined) return undefined;
  const artifacts = artifactsIn(dir, JSON.parse(text) as ImageManifest);
  const paths = [
    artifacts.kernelPath,
    artifacts.initrdPath,
    artifacts.rootfsPath,
  ];
  const present = await Promise.all(
    paths.map((p) =>
      access(p).then(
        () => true,
        () => false,
      ),
    ),
  );
  return present.every(Boolean) ? artifacts : undefined;
}

export async function writeManifest(
  dir: string,
  m: ImageManifest,
): Promise<void> {
  await writeFile(join(dir, MANIFEST_FILE), JSON.stringify(m, null, 2) + '\n');
}
