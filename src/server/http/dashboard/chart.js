/* global document, uPlot -- a browser page */
// The dashboard's chart (uPlot, served by firelab) and its text
// alternatives: a caption that says what it shows, and its data as a table.

import { fillTable } from './dom.js';

const byId = (id) => document.getElementById(id);
let chart;

/** Draws (or redraws) the time series of the report into #chart. */
export function renderChart(series, bucketMs) {
  const per = bucketMs >= 86_400_000 ? 'day' : 'hour';
  fillTable(byId('series'), '', series, [
    ['Starting', (p) => new Date(p.at).toLocaleString()],
    ['Jobs recorded', (p) => p.jobsQueued, true],
    ['Jobs started', (p) => p.jobsStarted, true],
    ['Reserved vCPUs (average)', (p) => p.reservedVcpus, true],
    ['Capacity vCPUs (average)', (p) => p.capacityVcpus, true],
  ]);
  const busiest = series.reduce(
    (a, b) => (b.jobsStarted > a.jobsStarted ? b : a),
    series[0],
  );
  const peak = Math.max(0, ...series.map((p) => p.reservedVcpus));
  byId('chart-text').textContent =
    `Jobs started per ${per} (bars), and the vCPUs VMs reserved against the agents' capacity (lines). ` +
    (busiest && busiest.jobsStarted > 0
      ? `Busiest ${per}: ${busiest.jobsStarted} jobs from ${new Date(busiest.at).toLocaleString()}; at most ${peak} vCPUs reserved on average in one ${per}.`
      : 'No job started in this window.');
  const element = byId('chart');
  chart?.destroy();
  const data = [
    series.map((p) => p.at / 1000),
    series.map((p) => p.jobsStarted),
    series.map((p) => p.reservedVcpus),
    series.map((p) => p.capacityVcpus),
  ];
  chart = new uPlot(
    {
      width: Math.max(320, element.clientWidth || 800),
      height: 280,
      scales: { jobs: { auto: true }, vcpus: { auto: true } },
      series: [
        {},
        {
          label: 'Jobs started',
          scale: 'jobs',
          stroke: '#1a5fb4',
          fill: 'rgba(26, 95, 180, 0.35)',
          paths: uPlot.paths.bars({ size: [0.7, 40] }),
        },
        {
          label: 'Reserved vCPUs',
          scale: 'vcpus',
          stroke: '#c64600',
          width: 2,
        },
        {
          label: 'Capacity vCPUs',
          scale: 'vcpus',
          stroke: '#3d3d3d',
          dash: [6, 4],
          width: 1.5,
        },
      ],
      axes: [
        {},
        { scale: 'jobs', label: 'jobs started' },
        { scale: 'vcpus', label: 'vCPUs', side: 1, grid: { show: false } },
      ],
    },
    data,
    element,
  );
}
