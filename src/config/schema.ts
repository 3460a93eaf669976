import { z } from 'zod';

const hostPort = z
  .string()
  .regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port, e.g. 127.0.0.1:8710')
  .refine(
    (value) => Number(value.split(':')[1]) <= 65535,
    'the port must be 0..65535',
  );

const netnsName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_.-]{0,30}$/, 'expected a namespace name')
  .refine(
    (name) => !name.startsWith('fl-'),
    'fl- names are VM namespaces (removed as leftovers)',
  );

/**
 * What a VM may reach besides its metadata and GitLab. `gitlab-only`:
 * nothing else. `nat`: the internet too, through one uplink namespace per
 * host joined to the host's own (`hostNetns` replaces the host in tests);
 * private, link-local and metadata addresses stay closed unless `allow`
 * lists them, and with `allowOnly` only `allow` is reached.
 */
const egressSchema = z
  .object({
    mode: z.enum(['gitlab-only', 'nat']).default('gitlab-only'),
    uplinkNetns: netnsName.default('firelab-uplink'),
    hostNetns: netnsName.optional(),
    /** The /30 joining the host and the uplink. */
    linkSubnet: z
      .cidrv4()
      .refine((cidr) => cidr.endsWith('/30'), 'must be a /30')
      .default('10.199.255.252/30'),
    /** One /30 per running VM between its namespace and the uplink. */
    transitPool: z
      .cidrv4()
      .refine(
        (cidr) => Number(cidr.split('/')[1]) <= 30,
        'must be /30 or wider',
      )
      .default('10.200.0.0/16'),
    allow: z.array(z.cidrv4()).default([]),
    allowOnly: z.boolean().default(false),
    /** With allowOnly: let the rest through, logging it per VM. */
    audit: z.boolean().default(false),
    /** Resolvers for the guests (default: the host's, loopback ones left out). */
    nameservers: z
      .array(
        z
          .ipv4()
          .refine(
            (ip) => !ip.startsWith('127.'),
            'a loopback resolver answers only on the host, not in guests',
          ),
      )
      .optional(),
  })
  .strict()
  .refine((egress) => !egress.audit || egress.allowOnly, {
    message: 'audit needs allowOnly: without it nothing is stopped to audit',
    path: ['audit'],
  })
  .prefault({});

/**
 * The whole configuration of `firelab up` / `server` / `agent`. Unknown
 * keys are errors (a typo must not silently fall back to a default).
 */
export const configSchema = z
  .object({
    gitlab: z
      .object({
        url: z.url({ protocol: /^https?$/ }),
        token: z.string().min(1),
        webhookSecret: z.string().min(1).optional(),
        projects: z.array(z.number().int().positive()).default([]),
      })
      .strict()
      .optional(),
    server: z
      .object({
        listen: hostPort.default('127.0.0.1:8710'),
        adminToken: z.string().min(16),
        /** Read-only bearer token for GET /metrics (default: adminToken). */
        metricsToken: z.string().min(16).optional(),
        /** PEM files: serve HTTPS (webhooks, API and agents). */
        tls: z
          .object({ cert: z.string().min(1), key: z.string().min(1) })
          .strict()
          .optional(),
        /** An agent silent this long is gone: its VMs are given up. */
        agentLostAfterSeconds: z.number().int().min(10).default(120),
      })
      .strict()
      .optional(),
    database: z
      .union([
        z.object({ embedded: z.string().min(1) }).strict(),
        z.object({ postgres: z.string().startsWith('postgres') }).strict(),
      ])
      .optional(),
    agent: z
      .object({
        name: z
          .string()
          .regex(/^[a-z0-9][a-z0-9-]*$/)
          .default('local'),
        stateDir: z.string().min(1).default('/var/lib/firelab'),
        hypervisor: z.enum(['auto', 'firecracker', 'qemu']).default('auto'),
        acceleration: z.enum(['auto', 'kvm', 'tcg']).default('auto'),
        firecracker: z
          .object({
            bin: z.string().min(1).default('firecracker'),
            jailerBin: z.string().min(1).default('jailer'),
            jailer: z.boolean().default(true),
            /** An uncompressed kernel built for Firecracker (vmlinux). */
            kernel: z.string().min(1).optional(),
          })
          .strict()
          .prefault({}),
        vcpus: z.number().int().positive().optional(),
        memoryMiB: z.number().int().positive().optional(),
        /** Where a remote agent (`firelab agent run`) connects. */
        server: z
          .object({
            url: z.url({ protocol: /^(https?|wss?)$/ }),
            /** PEM of the CA that signed the server's certificate. */
            ca: z.string().min(1).optional(),
          })
          .strict()
          .optional(),
        /** One-time token for the first start; better from the environment. */
        enrolmentToken: z.string().min(1).optional(),
        egress: egressSchema,
      })
      .strict()
      .prefault({}),
    image: z
      .object({
        profile: z.enum(['test', 'production']).default('production'),
        cacheDir: z.string().min(1).default('/var/cache/firelab/images'),
        runnerPackageUrl: z.url().optional(),
      })
      .strict()
      .default({
        profile: 'production',
        cacheDir: '/var/cache/firelab/images',
      }),
    jobs: z
      .object({
        defaultVcpus: z.number().int().positive().default(2),
        defaultMemoryMiB: z.number().int().min(128).default(2048),
        maxVcpus: z.number().int().positive().default(16),
        maxMemoryMiB: z.number().int().positive().default(65536),
        cpuOvercommit: z.number().min(1).default(1),
        maxPerProject: z.number().int().positive().default(50),
        /** Most VMs the projects of one group may hold at once (no cap). */
        maxPerGroup: z.number().int().positive().optional(),
        idleTimeoutSeconds: z.number().int().positive().default(300),
        bootTimeoutSeconds: z.number().int().positive().default(120),
        jobTimeoutSeconds: z.number().int().min(60).default(3600),
        maxAttempts: z.number().int().positive().default(3),
        /** Cancel and retry (once) a job whose VM died mid-job. */
        retryLostJobs: z.boolean().default(true),
        reconcileIntervalSeconds: z.number().positive().default(15),
      })
      .strict()
      .refine((jobs) => jobs.defaultMemoryMiB <= jobs.maxMemoryMiB, {
        message: 'defaultMemoryMiB is larger than maxMemoryMiB',
        path: ['defaultMemoryMiB'],
      })
      .refine((jobs) => jobs.defaultVcpus <= jobs.maxVcpus, {
        message: 'defaultVcpus is larger than maxVcpus',
        path: ['defaultVcpus'],
      })
      .prefault({}),
    /** What the hosts cost, split across projects by the insights report. */
    insights: z
      .object({
        /** The currency of the costs below (e.g. EUR), shown beside them. */
        currency: z.string().min(1).max(8).optional(),
        /** What one agent's host costs a month (0: no cost allocation). */
        hostMonthlyCost: z.number().min(0).default(0),
        /** Per agent name: replaces hostMonthlyCost for that host. */
        hostMonthlyCostByAgent: z
          .record(z.string().min(1), z.number().min(0))
          .default({}),
      })
      .strict()
      .refine(
        (insights) =>
          insights.currency !== undefined ||
          (insights.hostMonthlyCost === 0 &&
            Object.keys(insights.hostMonthlyCostByAgent).length === 0),
        {
          message: 'name the currency of the host costs, e.g. currency: EUR',
          path: ['currency'],
        },
      )
      .prefault({}),
    log: z
      .object({
        level: z
          .enum(['trace', 'debug', 'info', 'warn', 'error'])
          .default('info'),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;

/** What each command needs of the configuration. */
export type Role = 'up' | 'server' | 'agent' | 'client';
type Required<K extends keyof Config> = Config & {
  [P in K]-?: NonNullable<Config[P]>;
};
export type ServerConfig = Required<'gitlab' | 'server'>;
export type ClientConfig = Required<'server'>;
export type AgentConfig = Config & {
  agent: Config['agent'] & { server: NonNullable<Config['agent']['server']> };
};
