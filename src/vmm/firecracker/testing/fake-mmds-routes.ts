import type * as T from '../api-types.js';
import { mergePatch } from '../../mmds/store.js';
import type { Json } from '../../mmds/store.js';
import { SCHEMAS } from './fake-schemas.js';
import { data, fault, ok } from './fake-state.js';
import type { FakeReply, FakeState } from './fake-state.js';
import type { Route } from './fake-routes.js';

/**
 * The MMDS routes of the fake: `/mmds/config` only for interfaces that
 * exist and only link-local addresses; the store as any JSON object, in
 * and after boot, with 413 past the size limit; `GET /mmds` answers `{}`
 * before boot and 400 after boot without MMDS (reference/firecracker.md
 * §1.4, v1.16.1 never answers 404 there).
 */
export function mmdsRoutes(): Record<string, Route> {
  return {
    'PUT /mmds/config': {
      schema: SCHEMAS.mmdsConfig,
      phase: 'pre',
      run: (s, body) => putConfig(s, body as T.MmdsConfig),
    },
    'PUT /mmds': {
      phase: 'any',
      run: (s, body) => store(s, body),
    },
    'PATCH /mmds': {
      phase: 'any',
      run: (s, body) => store(s, mergePatch(s.mmds as Json, body as Json)),
    },
    'GET /mmds': {
      phase: 'any',
      run: (s) =>
        s.started && !s.mmdsConfig
          ? fault('The MMDS data store is not initialized.')
          : data(s.mmds),
    },
  };
}

function putConfig(s: FakeState, config: T.MmdsConfig): FakeReply {
  if (config.network_interfaces.length === 0) {
    return fault('The list of network interface IDs must not be empty.');
  }
  const unknown = config.network_interfaces.find((id) => !s.ifaces.has(id));
  if (unknown !== undefined) {
    return fault(
      `The list of network interface IDs provided contains at least one ` +
        `ID that does not correspond to any existing network interface.`,
    );
  }
  const address = config.ipv4_address ?? '169.254.169.254';
  if (!/^169\.254\.\d{1,3}\.\d{1,3}$/.test(address)) {
    return fault(`The MMDS IPv4 address is not link-local: ${address}`);
  }
  s.mmdsConfig = config;
  return { status: 204, deprecated: config.version !== 'V2' };
}

function store(s: FakeState, value: unknown): FakeReply {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fault('The MMDS contents must be a JSON object.');
  }
  const size = Buffer.byteLength(JSON.stringify(value));
  if (size > s.mmdsLimit) {
    return fault("The MMDS patch request doesn't fit.", 413);
  }
  s.mmds = value as Record<string, unknown>;
  return ok();
}
