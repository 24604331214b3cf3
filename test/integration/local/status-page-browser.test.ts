import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { generateEvents } from '../../../devtools/generators/event-generator.js';
import type { StatusSnapshot } from '../../../lib/local/status-page-board.js';
import { healthUrl, localRunEnv, startCli, useLocalRunRig, waitUntil } from '../../support/cli-process.js';

const PASSWORD = 'status-page-password-2b9f';
const SIEM_TOKEN = 'status-page-siem-token-6e0a71c4d2';
/** Debian's package (`apt-get install chromium`, which .ci/run does). */
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => existsSync(path));
const IN_CI = !['', '0', 'false', undefined].includes(process.env.CI);
const VIEWPORT = { width: 1100, height: 900 };

async function statusOf(base: string): Promise<StatusSnapshot> {
  return (await (await fetch(`${base}/status.json`)).json()) as StatusSnapshot;
}

describe('run --health-port: the status page in Chromium', () => {
  const rig = useLocalRunRig({ password: PASSWORD, tmpPrefix: 'status-page-' });

  // Without Chromium only a developer's machine may skip; CI installs it and must run this.
  it.skipIf(CHROMIUM === undefined && !IN_CI)(`shows each stream's figures as /status.json gives them, a chart, and no secret, loading nothing from elsewhere${CHROMIUM === undefined ? ' (skipped: Chromium is not installed; apt-get install chromium)' : ''}`, async () => {
    if (CHROMIUM === undefined) throw new Error('Chromium is not installed (apt-get install chromium): CI must run the status page test');
    const backlog = generateEvents({ seed: 31, realm: 'acme', count: 30, startTime: Date.now() - 600_000, spacingMs: 5_000 });
    rig.simulator.add('acme', 'user', backlog.user);
    rig.simulator.add('acme', 'admin', backlog.admin);
    // The SIEM's first answer echoes our token: the page must show the error with the token hidden.
    rig.receiver.failNext({ count: 1, status: 503, body: `overloaded; token ${SIEM_TOKEN} will be retried` });
    const env = localRunEnv({ mpasUrl: rig.simulator.url, password: PASSWORD, startFrom: Date.now() - 3_600_000, stateDir: rig.stateDir, siemUrl: `${rig.receiver.url}/ingest` }, { MPAS_SETTLE_MS: '500', SIEM_TOKEN });
    const child = startCli(['run', '--health-port', '0', '--poll-interval', '500'], env);
    const base = (
      await waitUntil(() => healthUrl(child), 'the health endpoint log line').catch((error: unknown) => {
        throw new Error(`${(error as Error).message}; run printed ${JSON.stringify(child.output()).slice(0, 2_000)}`);
      })
    ).replace(/\/health$/, '');
    const status = await waitUntil(async () => {
      const answer = await statusOf(base);
      return answer.streams.reduce((sum, stream) => sum + stream.delivered, 0) === 30 && answer.siem[0]?.lastError ? answer : undefined;
    }, 'the backlog delivered');

    const screenshots = await mkdtemp(join(tmpdir(), 'status-page-shot-'));
    const browser = await chromium.launch({ executablePath: CHROMIUM });
    try {
      const page = await browser.newPage({ viewport: VIEWPORT });
      const requested: string[] = [];
      page.on('request', (request) => requested.push(request.url()));
      const refused: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') refused.push(message.text());
      });
      await page.goto(`${base}/`);
      // Read through locators: the page's policy forbids evaluating text in it (waitForFunction's string form).
      await waitUntil(async () => {
        const loaded = (await page.locator('body[data-loaded]').count()) === 1 && (await page.locator('#streams tr').count()) === 2;
        const rateLine = page.locator('#chart polyline.rate');
        // Two points or more: a line is drawn.
        return loaded && (await rateLine.count()) === 1 && ((await rateLine.getAttribute('points')) ?? '').includes(' ') ? true : undefined;
      }, 'the page showing both streams and a rate line', 30_000);

      const rows = await page.$$eval('#streams tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
      expect(rows.map((cells) => [cells[0], cells[1], cells[4], cells[5]])).toEqual(status.streams.map(({ realm, stream, read, delivered }) => [realm, stream, String(read), String(delivered)]));
      expect(rows.map((cells) => cells[7])).toEqual([expect.stringMatching(/ ok$/), expect.stringMatching(/ ok$/)]);
      const text = await page.locator('body').innerText();
      expect(text).toContain('HTTP 503: overloaded; token *** will be retried');
      expect(text).not.toContain(SIEM_TOKEN);
      expect(await page.locator('#health').textContent()).toBe('ok');
      // Self-contained: the page and its figures, nothing else, and nothing the policy refused.
      expect(new Set(requested.map((url) => new URL(url).pathname))).toEqual(new Set(['/', '/status.json']));
      expect(requested.every((url) => url.startsWith(base))).toBe(true);
      expect(refused).toEqual([]);

      const file = join(screenshots, 'status.png');
      await page.screenshot({ path: file });
      const png = PNG.sync.read(await readFile(file));
      expect([png.width, png.height]).toEqual([VIEWPORT.width, VIEWPORT.height]);
      const colours = (box: { x: number; y: number; width: number; height: number }): Set<number> => {
        const seen = new Set<number>();
        for (let y = Math.floor(box.y); y < box.y + box.height; y += 1) {
          for (let x = Math.floor(box.x); x < box.x + box.width; x += 1) seen.add(png.data.readUInt32BE((y * png.width + x) * 4));
        }
        return seen;
      };
      expect(colours({ x: 0, y: 0, width: png.width, height: png.height }).size).toBeGreaterThan(20);
      const chart = (await page.locator('#chart').boundingBox())!;
      const inChart = colours(chart);
      // The rate line's blue (#2471a3, anti-aliased around it) is drawn inside the chart.
      expect(inChart.size).toBeGreaterThan(3);
      expect([...inChart].some((rgba) => Math.abs((rgba >>> 24) - 0x24) < 12 && Math.abs(((rgba >>> 16) & 0xff) - 0x71) < 12 && Math.abs(((rgba >>> 8) & 0xff) - 0xa3) < 12)).toBe(true);
    } finally {
      await browser.close();
      await rm(screenshots, { recursive: true, force: true });
    }
    child.kill('SIGTERM');
    expect((await child.exited).code).toBe(0);
  });
});
