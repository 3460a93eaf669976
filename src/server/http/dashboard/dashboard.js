/* global document, fetch, sessionStorage, setInterval -- a browser page */
// The firelab dashboard. It asks for the admin token once, keeps it in
// this tab's session storage, and reads the admin API; the page itself
// holds no data. Everything shown is set as text, never parsed as HTML:
// job names and project paths come from GitLab, and may hold markup.

import { renderChart } from './chart.js';
import { age, fillList, fillTable, show } from './dom.js';

const TOKEN_KEY = 'firelab-admin-token';
const REFRESH_MS = 30_000;
const $ = (id) => document.getElementById(id);
/** Project paths by id, from the last report (the fleet's lists have ids). */
let projects = new Map();

class Refused extends Error {}

async function api(path) {
  const token = sessionStorage.getItem(TOKEN_KEY) ?? '';
  const response = await fetch(path, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (response.status === 401) throw new Refused();
  const body = await response.json().catch(() => ({}));
  if (!response.ok)
    throw new Error(`${path} answered ${response.status}: ${body.error ?? ''}`);
  return body;
}

/**
 * Reads the fleet's state and the window's report. Only the fleet is
 * refreshed on a timer: a long window's report is work for the server.
 */
async function load(withReport = true) {
  setStatus('Loading…');
  const span = encodeURIComponent($('window').value);
  try {
    const [agents, vms, queue, report] = await Promise.all([
      api('/api/v1/agents'),
      api('/api/v1/vms?state=live'),
      api('/api/v1/queue'),
      withReport ? api(`/api/v1/insights?window=${span}`) : undefined,
    ]);
    $('login').hidden = true;
    $('main').hidden = false;
    if (report) {
      projects = new Map(report.byProject.map((p) => [p.key, p.name]));
      renderReport(report);
    }
    renderNow(agents, vms, queue);
    setStatus(`Updated ${new Date().toLocaleTimeString()}`);
  } catch (error) {
    if (!(error instanceof Refused)) {
      setStatus(`Could not load the dashboard: ${error.message}`, true);
      return;
    }
    sessionStorage.removeItem(TOKEN_KEY);
    showLogin(
      'The server refused this token (401). Check server.adminToken and enter it again.',
    );
  }
}

function showLogin(message) {
  $('main').hidden = true;
  $('login').hidden = false;
  $('login-error').textContent = message;
  setStatus('Not signed in');
  $('token').focus();
}

function setStatus(text, isError = false) {
  $('status').textContent = text;
  $('status').className = isError ? 'error' : '';
}

function renderNow(agents, vms, queue) {
  const now = Date.now();
  const project = (id) => projects.get(String(id)) ?? `project ${id}`;
  fillTable($('agents'), 'No agent has connected yet.', agents, [
    ['Agent', (a) => a.id],
    ['Host', (a) => a.hostname],
    ['State', (a) => (a.draining ? `${a.state}, draining` : a.state)],
    ['Arch', (a) => a.arch],
    ['vCPUs', (a) => a.vcpus, true],
    ['Memory MiB', (a) => a.memoryMiB, true],
    ['Hypervisor', (a) => `${a.hypervisor}/${a.acceleration}`],
    ['Live VMs', (a) => a.liveVms, true],
    ['Last seen', (a) => `${age(now - a.lastSeenAt)} ago`],
  ]);
  fillTable($('vms'), 'No VM is running.', vms, [
    ['VM', (v) => v.id],
    ['State', (v) => v.state],
    ['Agent', (v) => v.agentId],
    ['Project', (v) => project(v.projectId)],
    ['Job', (v) => v.tookJobId ?? v.demandJobId, true],
    ['vCPUs', (v) => v.vcpus, true],
    ['Memory MiB', (v) => v.memoryMiB, true],
    ['Age', (v) => age(now - v.createdAt)],
  ]);
  fillTable($('queue'), 'No job is waiting.', queue, [
    ['Job', (d) => d.jobId, true],
    ['Name', (d) => d.jobName],
    ['Project', (d) => project(d.projectId)],
    ['Size', (d) => `${d.vcpus} vCPU, ${d.memoryMiB} MiB, ${d.arch}`],
    ['Waiting', (d) => age(now - d.createdAt)],
    ['Why', (d) => d.reason ?? 'waiting for its turn'],
  ]);
}

function renderReport(report) {
  const from = new Date(report.window.from).toLocaleString();
  const to = new Date(report.window.to).toLocaleString();
  $('window-text').textContent = `From ${from} to ${to}.`;
  renderSummary(report.totals, report.previous);
  fillList(
    $('hints'),
    report.hints.map((h) => h.text),
  );
  fillList($('notes'), report.notes);
  renderChart(report.series, report.window.bucketMs);
  const usage = usageColumns();
  fillTable($('by-group'), 'No jobs.', report.byGroup, usage);
  fillTable($('by-project'), 'No jobs.', report.byProject, usage);
  fillTable($('by-job'), 'No jobs.', report.byJobName, [
    usage[0],
    ['Project', (r) => r.project],
    ...usage.slice(1),
  ]);
  $('jobs-left-out').textContent = report.jobNamesLeftOut
    ? `${report.jobNamesLeftOut} lighter job names are not listed.`
    : '';
  renderWaits(report.waits);
  renderCost(report.cost);
  renderFleet(report.fleet);
}

const OUTCOMES = [
  ['Succeeded', 'success'],
  ['Failed', 'failed'],
  ['Canceled', 'canceled'],
  ['Not served', 'unserved'],
  ['Expired', 'expired'],
  ['Lost', 'lost'],
  ['Retries', 'retried'],
  ['Open', 'open'],
];

function usageColumns() {
  return [
    ['Name', (r) => r.name],
    ['Jobs', (r) => r.jobs, true],
    ...OUTCOMES.map(([label, key]) => [label, (r) => r.outcomes[key], true]),
    ['VM min', (r) => r.vmMinutes, true],
    ['Job min', (r) => r.jobMinutes, true],
    ['vCPU min', (r) => r.vcpuMinutes, true],
    ['GiB min', (r) => r.gibMinutes, true],
  ];
}

function renderSummary(totals, previous) {
  const rows = [
    ['Jobs', 'jobs'],
    ...OUTCOMES.map(([label, key]) => [label, (r) => r.outcomes[key]]),
    ['VM minutes', 'vmMinutes'],
    ['Minutes jobs ran', 'jobMinutes'],
    ['vCPU minutes', 'vcpuMinutes'],
    ['GiB minutes', 'gibMinutes'],
  ].map(([label, get]) => {
    const value = typeof get === 'string' ? (r) => r[get] : get;
    return { label, now: value(totals), before: value(previous) };
  });
  fillTable($('summary'), '', rows, [
    ['Measure', (r) => r.label],
    ['This window', (r) => r.now, true],
    ['The window before', (r) => r.before, true],
  ]);
}

function renderWaits(waits) {
  const rows = [
    ['Job recorded → its job started in a VM', waits.start],
    ['Job recorded → a VM was made for it', waits.placement],
    ['VM made → running its job (runner, hypervisor, guest boot)', waits.boot],
  ];
  fillTable($('waits'), '', rows, [
    ['Wait', (r) => r[0]],
    ['Count', (r) => r[1].count, true],
    ['p50 s', (r) => r[1].p50, true],
    ['p95 s', (r) => r[1].p95, true],
    ['Max s', (r) => r[1].max, true],
  ]);
  const caption = $('waits').querySelector('caption');
  caption.textContent = `Seconds, for the jobs of the window (${waits.notStarted} not started in a VM)`;
}

function renderCost(cost) {
  if (!cost) {
    $('cost-text').textContent =
      'No host cost is configured: set insights.currency and insights.hostMonthlyCost in the server configuration.';
    for (const id of ['cost-groups', 'cost-projects'])
      fillTable($(id), 'No cost configured.', [], [['Name']]);
    return;
  }
  const money = (n) => `${n.toFixed(2)} ${cost.currency}`;
  $('cost-text').textContent =
    `The hosts cost ${money(cost.total)} over this window, split by each VM's share of its host's vCPU and memory time; ${money(cost.idle)} (${show(cost.idlePercent)} %) was idle capacity.`;
  const idle = {
    name: 'Idle capacity',
    amount: cost.idle,
    percent: cost.idlePercent,
  };
  const columns = [
    ['Name', (s) => s.name],
    ['Amount', (s) => money(s.amount), true],
    ['Share %', (s) => s.percent, true],
  ];
  fillTable($('cost-groups'), '', [...cost.byGroup, idle], columns);
  fillTable($('cost-projects'), '', [...cost.byProject, idle], columns);
}

function renderFleet(fleet) {
  $('fleet-text').textContent =
    `VMs reserved ${show(fleet.vcpuPercent)} % of the vCPU time and ${show(fleet.memoryPercent)} % of the memory time the agents offered (${fleet.reservedVcpuHours} of ${fleet.capacityVcpuHours} vCPU hours).`;
  fillTable(
    $('fleet'),
    'No agent offered capacity in this window.',
    fleet.agents,
    [
      ['Agent', (a) => a.id],
      ['Arch', (a) => a.arch],
      ['vCPUs', (a) => a.vcpus, true],
      ['Memory MiB', (a) => a.memoryMiB, true],
      ['Hours offered', (a) => a.hours, true],
      ['VMs', (a) => a.vms, true],
      ['vCPU %', (a) => a.vcpuPercent, true],
      ['Memory %', (a) => a.memoryPercent, true],
    ],
  );
}

$('login').addEventListener('submit', (event) => {
  event.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, $('token').value.trim());
  $('token').value = '';
  void load();
});
$('refresh').addEventListener('click', () => void load());
$('window').addEventListener('change', () => void load());
$('forget').addEventListener('click', () => {
  sessionStorage.removeItem(TOKEN_KEY);
  showLogin('');
});
setInterval(() => {
  if (!$('main').hidden && document.visibilityState === 'visible')
    void load(false);
}, REFRESH_MS);
if (sessionStorage.getItem(TOKEN_KEY)) void load();
else showLogin('');
