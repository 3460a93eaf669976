/**
 * What the guest init reads from its metadata service, under `firelab/`.
 * Times are whole seconds; `hosts` is appended to /etc/hosts as is.
 */
export interface GuestMetadataInput {
  vmId: string;
  /** The GitLab URL as the guest must use it (also its clone URL). */
  gitlabUrl: string;
  /** Secret: the runner authentication token. */
  runnerToken: string;
  /** How long run-single waits for a job before it gives up. */
  waitTimeoutSeconds: number;
  /** The limit on the whole run-single process, waiting included. */
  jobTimeoutSeconds: number;
  /** Lines for /etc/hosts, e.g. `10.0.0.1 gitlab.example`. */
  hosts?: string[];
  /** IPv4 resolvers for /etc/resolv.conf (egress `nat`). */
  nameservers?: string[];
}

/**
 * The metadata document for `VmSpec.metadata`. Pure. Every value is a
 * string because the guest reads the IMDS text format, in which MMDS
 * answers 501 for numbers. The result holds the runner token: never log
 * it.
 */
export function guestMetadata(input: GuestMetadataInput): {
  firelab: Record<string, string>;
} {
  return {
    firelab: {
      vm_id: input.vmId,
      gitlab_url: input.gitlabUrl,
      runner_token: input.runnerToken,
      wait_timeout: String(Math.max(0, Math.floor(input.waitTimeoutSeconds))),
      job_timeout: String(Math.max(1, Math.floor(input.jobTimeoutSeconds))),
      hosts: (input.hosts ?? []).map((line) => `${line}\n`).join(''),
      nameservers: (input.nameservers ?? []).join(' '),
    },
  };
}
