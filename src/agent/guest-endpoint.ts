import { isIP } from 'node:net';

/**
 * How a VM reaches GitLab. The VM has no route anywhere: the agent relays
 * one TCP port on the VM's gateway to GitLab. The guest keeps GitLab's own
 * host name (mapped to the gateway in /etc/hosts) so TLS names still
 * match; a GitLab addressed by IP (or localhost, as in tests) is addressed
 * through the gateway's IP instead.
 */
export interface GuestEndpoint {
  /** The URL the runner in the VM uses. */
  guestUrl: string;
  /** Lines for the guest's /etc/hosts. */
  hosts: string;
  /** The port the relay listens on, on the gateway. */
  listenPort: number;
  /** Where the relay connects, from the agent's side. */
  target: { host: string; port: number };
}

export function guestEndpoint(
  gitlabUrl: string,
  gatewayIp: string,
): GuestEndpoint {
  const url = new URL(gitlabUrl);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`GitLab URL must be http or https, not ${url.protocol}`);
  }
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const byAddress = isIP(host) !== 0 || host === 'localhost';

  const guest = new URL(url.toString());
  if (byAddress) guest.hostname = gatewayIp;
  return {
    guestUrl: guest.toString().replace(/\/$/, ''),
    hosts: byAddress ? '' : `${gatewayIp} ${host}\n`,
    listenPort: port,
    target: { host, port },
  };
}
