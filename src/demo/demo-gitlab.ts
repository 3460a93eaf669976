import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createGitlabSim } from '../gitlab-sim/index.js';
import type { GitlabSim } from '../gitlab-sim/index.js';
import type { Logger } from '../lib/logger.js';
import { DEFAULT_SUBNET } from '../network/index.js';
import { parseSubnet } from '../network/subnet.js';

/**
 * The GitLab stand-in as the demo and the end-to-end tests run it. A real
 * GitLab advertises one external URL that runners can reach; here the
 * stand-in listens on 127.0.0.1 (where the server talks to it) and
 * advertises the address a VM reaches it at (its gateway, same port), so
 * clone URLs in job payloads and `CI_REPOSITORY_URL` work inside VMs.
 */
export async function startDemoGitlab(
  dataDir: string,
  logger: Logger,
): Promise<GitlabSim> {
  const port = await freePort();
  const gateway = parseSubnet(DEFAULT_SUBNET).gatewayIp;
  return createGitlabSim({
    dataDir,
    logger,
    port,
    publicUrl: `http://${gateway}:${port}`,
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
