/**
 * The guest side of the namespace tests, run with Node inside a guest
 * namespace. Input (last argument, JSON): `mmds` (whether to run the MMDS
 * V2 flow against 169.254.169.254), `get` (URLs to fetch), `probe`
 * (host:port pairs to try) and `read` (host:port pairs to read to end).
 * Output: JSON with each result. A probe says `connected`, `timeout`
 * (dropped by a firewall) or the socket error code.
 */
export const GUEST_SCRIPT = `
import { connect } from 'node:net';
import { request } from 'node:http';
const plan = JSON.parse(process.argv.at(-1));

function http(method, url, headers = {}) {
  return new Promise((resolve) => {
    const req = request(url, { method, headers, timeout: 3000 }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ status: 0, body: e.message }));
    req.end();
  });
}

function probe(target) {
  const [host, port] = target.split(/:(?=[0-9]+$)/);
  return new Promise((resolve) => {
    const socket = connect({ host, port: Number(port) });
    const timer = setTimeout(() => { socket.destroy(); resolve('timeout'); },
      1500);
    socket.on('connect', () => {
      clearTimeout(timer); socket.destroy(); resolve('connected');
    });
    socket.on('error', (e) => { clearTimeout(timer); resolve(e.code); });
  });
}

async function mmds() {
  const base = 'http://169.254.169.254';
  const token = await http('PUT', base + '/latest/api/token',
    { 'X-metadata-token-ttl-seconds': '60' });
  const header = { 'X-metadata-token': token.body };
  return {
    tokenStatus: token.status,
    noToken: (await http('GET', base + '/latest/meta-data')).status,
    keys: (await http('GET', base + '/latest/meta-data', header)).body,
    json: (await http('GET', base + '/latest/meta-data',
      { ...header, Accept: 'application/json' })).body,
  };
}

function read(target) {
  const [host, port] = target.split(/:(?=[0-9]+$)/);
  return new Promise((resolve) => {
    let data = '';
    const socket = connect({ host, port: Number(port) });
    socket.setTimeout(1500, () => socket.destroy());
    socket.on('data', (c) => (data += c));
    socket.on('close', () => resolve(data));
    socket.on('error', () => undefined);
  });
}

const out = { probe: {}, get: {}, read: {} };
if (plan.mmds) out.mmds = await mmds();
await Promise.all((plan.get ?? []).map(async (url) => {
  out.get[url] = await http('GET', url);
}));
await Promise.all((plan.probe ?? []).map(async (target) => {
  out.probe[target] = await probe(target);
}));
for (const target of plan.read ?? []) out.read[target] = await read(target);
process.stdout.write(JSON.stringify(out));
`;

export interface GuestResult {
  mmds?: { tokenStatus: number; noToken: number; keys: string; json: string };
  get: Record<string, { status: number; body: string }>;
  probe: Record<string, string>;
  read: Record<string, string>;
}
