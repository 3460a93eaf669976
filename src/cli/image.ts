import { buildImage } from '../image/index.js';
import type { ImageProfile } from '../image/index.js';
import { createLogger } from '../lib/logger.js';
import type { Arch } from '../vmm/driver.js';

/** `firelab image build`: prints each step, then the artifacts. */
export async function runImageBuild(opts: {
  profile: ImageProfile;
  arch: Arch;
  cacheDir: string;
  runnerPackageUrl?: string;
}): Promise<void> {
  const started = Date.now();
  const image = await buildImage({
    ...opts,
    log: createLogger({ level: 'warn' }),
    onProgress: (step) => console.log(`  ${step}`),
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `image ${image.id} (${image.profile}, ${image.arch}) ready in ${seconds}s`,
  );
  console.log(`  kernel  ${image.kernelPath}`);
  console.log(`  initrd  ${image.initrdPath}`);
  console.log(`  rootfs  ${image.rootfsPath}`);
}
