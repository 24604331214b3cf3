import { createHash } from 'node:crypto';

/** How often the page asks for new figures. */
export const STATUS_REFRESH_MS = 5_000;

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 16px 24px; color: #1d2733; background: #fff; }
h1 { font-size: 20px; margin: 0 0 4px; }
h2 { font-size: 15px; margin: 20px 0 6px; }
.muted { color: #5d6b7a; }
.badge { display: inline-block; padding: 1px 10px; border-radius: 10px; font-weight: 600; color: #fff; }
.ok { background: #1f8a4c; } .degraded { background: #c0392b; } .unknown { background: #7f8c8d; }
table { border-collapse: collapse; }
th, td { text-align: left; padding: 3px 10px 3px 0; border-bottom: 1px solid #e3e7eb; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.error { color: #a93226; max-width: 420px; overflow-wrap: anywhere; }
ul { margin: 4px 0; padding-left: 20px; }
#chart { border: 1px solid #e3e7eb; background: #fbfcfd; }
/* The rate line wider, under the lag line: where the two scaled lines coincide, the rate still shows at its edges. */
.rate { stroke: #2471a3; stroke-width: 5px; } .lag { stroke: #d35400; }
.legend-rate { color: #2471a3; } .legend-lag { color: #d35400; }
`;

/*
 * Runs in the browser. Every figure and error is set as text (never as HTML): errors carry what
 * a server sent back.
 */
const SCRIPT = `
'use strict';
const REFRESH_MS = ${STATUS_REFRESH_MS};
const $ = (id) => document.getElementById(id);
const cell = (row, text, className) => {
  const td = row.insertCell();
  td.textContent = text;
  if (className) td.className = className;
  return td;
};
const seconds = (value) => (value === null ? '-' : value < 120 ? value.toFixed(1) + ' s' : value < 7200 ? (value / 60).toFixed(1) + ' min' : (value / 3600).toFixed(1) + ' h');
const time = (iso) => (iso ? new Date(iso).toLocaleTimeString() : '-');
const note = (error) => (error ? time(error.at) + ' ' + error.message : '-');

function renderStreams(streams) {
  const body = $('streams');
  body.replaceChildren();
  for (const s of streams) {
    const row = body.insertRow();
    row.dataset.stream = s.realm + '/' + s.stream;
    cell(row, s.realm);
    cell(row, s.stream);
    cell(row, seconds(s.lagSeconds), 'num');
    cell(row, s.ratePerSecond.toFixed(2), 'num');
    cell(row, String(s.read), 'num');
    cell(row, String(s.delivered), 'num');
    cell(row, String(s.lateEvents), 'num');
    cell(row, s.lastPoll ? time(s.lastPoll.at) + ' ' + s.lastPoll.outcome + (s.lastPoll.error ? ': ' + s.lastPoll.error : '') : '-', s.lastPoll && s.lastPoll.outcome === 'failed' ? 'error' : '');
    cell(row, note(s.lastMpasError), s.lastMpasError ? 'error' : '');
  }
}

function renderErrors(status) {
  const body = $('siem');
  body.replaceChildren();
  for (const route of status.siem) {
    const row = body.insertRow();
    cell(row, route.route);
    cell(row, note(route.lastError), route.lastError ? 'error' : '');
  }
  const mpas = status.mpas.lastError;
  $('mpas-error').textContent = mpas ? time(mpas.at) + ' ' + mpas.endpoint + ' endpoint: ' + mpas.message : 'none';
  $('mpas-error').className = mpas ? 'error' : '';
  const reasons = Object.entries(status.deadLetters.byReason).map(([reason, count]) => reason + ' ' + count).join(', ');
  $('dead-letters').textContent = String(status.deadLetters.total) + (reasons ? ' (' + reasons + ')' : '');
}

function polyline(points, value, top, className, x, height) {
  const line = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
  line.setAttribute('class', className);
  line.setAttribute('fill', 'none');
  line.setAttribute('stroke-width', '2');
  line.setAttribute('points', points.filter((p) => value(p) !== null).map((p) => x(p.at) + ',' + (height - 4 - (value(p) / top) * (height - 8)).toFixed(1)).join(' '));
  return line;
}

function renderChart(history, now) {
  const svg = $('chart');
  const width = 720, height = 180;
  const points = history.points.map((p) => ({ ...p, at: Date.parse(p.at) }));
  const topRate = Math.max(1, ...points.map((p) => p.ratePerSecond));
  const topLag = Math.max(1, ...points.map((p) => (p.lagSeconds === null ? 0 : p.lagSeconds)));
  // The whole hour is drawn, now at the right edge: a young run's line starts late.
  const x = (at) => (4 + (1 - (now - at) / (history.spanSeconds * 1000)) * (width - 8)).toFixed(1);
  svg.replaceChildren(polyline(points, (p) => p.ratePerSecond, topRate, 'rate', x, height), polyline(points, (p) => p.lagSeconds, topLag, 'lag', x, height));
  $('chart-rate').textContent = 'rate (events/s, up to ' + topRate.toFixed(1) + ')';
  $('chart-lag').textContent = 'lag (up to ' + seconds(topLag) + ')';
  $('chart-span').textContent = 'the last ' + history.spanSeconds / 60 + ' min up to now, a point every ' + history.intervalSeconds + ' s';
}

async function refresh() {
  try {
    const response = await fetch('status.json', { cache: 'no-store' });
    if (!response.ok) throw new Error('HTTP ' + response.status);
    const status = await response.json();
    $('tenant').textContent = status.tenant;
    $('health').textContent = status.health.status;
    $('health').className = 'badge ' + status.health.status;
    const reasons = $('reasons');
    reasons.replaceChildren(...status.health.reasons.map((reason) => Object.assign(document.createElement('li'), { textContent: reason })));
    $('lag').textContent = seconds(status.health.lagSeconds);
    $('updated').textContent = 'updated ' + time(status.generatedAt);
    renderStreams(status.streams);
    renderErrors(status);
    renderChart(status.history, Date.parse(status.generatedAt));
    document.body.dataset.loaded = status.generatedAt;
  } catch (error) {
    $('health').textContent = 'unreachable';
    $('health').className = 'badge unknown';
    $('updated').textContent = 'status.json did not answer (' + error.message + '): has the run stopped?';
  }
}
refresh();
setInterval(refresh, REFRESH_MS);
`;

const HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>mpas-log-sync status</title>
<style>${STYLE}</style>
</head>
<body>
<h1>mpas-log-sync <span id="tenant" class="muted"></span> <span id="health" class="badge unknown">loading</span></h1>
<div class="muted"><span id="updated"></span>; lag <span id="lag">-</span>; refreshes every ${STATUS_REFRESH_MS / 1000} s</div>
<ul id="reasons"></ul>
<h2>Streams</h2>
<table>
<thead><tr><th>realm</th><th>stream</th><th>lag</th><th>events/s (1 min)</th><th>read</th><th>delivered</th><th>late</th><th>last poll</th><th>last MPAS error</th></tr></thead>
<tbody id="streams"></tbody>
</table>
<h2>The last hour</h2>
<div><span id="chart-rate" class="legend-rate"></span>, <span id="chart-lag" class="legend-lag"></span>; <span id="chart-span" class="muted"></span></div>
<svg id="chart" width="720" height="180" viewBox="0 0 720 180" role="img" aria-label="delivery rate and lag over the last hour"></svg>
<h2>SIEM</h2>
<table>
<thead><tr><th>route</th><th>last failed request</th></tr></thead>
<tbody id="siem"></tbody>
</table>
<h2>MPAS</h2>
<div>last failed request: <span id="mpas-error">none</span></div>
<h2>Dead letters</h2>
<div>since the start: <span id="dead-letters">0</span></div>
<script>${SCRIPT}</script>
</body>
</html>
`;

const hash = (text: string): string => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/**
 * The status page: one self-contained document (its style, script and chart inline) that asks
 * `status.json` beside it for the figures every few seconds, so it works without internet. The
 * policy lets only that inline style and script run and only the same origin be fetched.
 */
export const STATUS_PAGE = {
  html: HTML,
  contentSecurityPolicy: [
    "default-src 'none'",
    `script-src ${hash(SCRIPT)}`,
    `style-src ${hash(STYLE)}`,
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; '),
} as const;
