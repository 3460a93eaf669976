export { createQemuDriver, hostArch } from './create-qemu-driver.js';
export { mmdsSocketPath } from './vm-paths.js';
