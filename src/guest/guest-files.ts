import { readFile } from 'node:fs/promises';
import type { ImageProfile } from '../image/image-types.js';

/**
 * A file (or, with `symlink`, a symbolic link whose target is `content`)
 * that the image build places at `path` in the root filesystem.
 */
export interface GuestFile {
  path: string;
  mode: number;
  content: string;
  symlink?: boolean;
}

/** Where the guest init lives in every image; `init=` points here. */
export const GUEST_INIT_PATH = '/sbin/firelab-init';

const UNIT = 'firelab-guest.service';

/**
 * The files firelab adds to an image of `profile`, read from this folder.
 * Both profiles get the guest init. Test images get the gitlab-runner
 * stand-in at /usr/bin/gitlab-runner; production images get the systemd
 * unit that runs the init (the real runner comes from GitLab's packages).
 */
export async function guestFiles(profile: ImageProfile): Promise<GuestFile[]> {
  const init = await source('init.sh');
  const files: GuestFile[] = [
    { path: GUEST_INIT_PATH, mode: 0o755, content: init },
  ];
  if (profile === 'test') {
    const runner = await source('gitlab-runner-standin.py');
    files.push({
      path: '/usr/bin/gitlab-runner',
      mode: 0o755,
      content: runner,
    });
    return files;
  }

  const unitPath = `/etc/systemd/system/${UNIT}`;
  files.push({ path: unitPath, mode: 0o644, content: await source(UNIT) });
  files.push({
    path: `/etc/systemd/system/multi-user.target.wants/${UNIT}`,
    mode: 0o777,
    content: unitPath,
    symlink: true,
  });
  return files;
}

function source(name: string): Promise<string> {
  return readFile(new URL(name, import.meta.url), 'utf8');
}
