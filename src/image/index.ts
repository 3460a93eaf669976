export { buildImage } from './build-image.js';
export type { BuildImageOptions } from './build-image.js';
export { createCowDisk } from './cow-disk.js';
export { IMAGE_PROFILES } from './image-types.js';
export type { ImageArtifacts, ImageProfile } from './image-types.js';
export { runKernelPlan } from './build-kernel.js';
export {
  describeStep,
  kernelBuildPlan,
  kernelPathIn,
} from './kernel-build-plan.js';
export type { KernelBuildOptions } from './kernel-build-plan.js';
