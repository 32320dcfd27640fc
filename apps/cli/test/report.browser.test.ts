import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { CLI_DIR, expectGolden, expectSchema, runCli, tempDir } from './helpers.js';

/** Debian's chromium package; CI must `apt-get install -y chromium` for this test to run. */
const CHROMIUM = process.env.PFMSIM_CHROMIUM ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  process.stderr.write(
    `report.browser.test.ts: SKIPPED, ${CHROMIUM} is not installed (apt-get update && apt-get install -y chromium)\n`,
  );
}

const dir = tempDir();
let summary: Record<string, unknown> | undefined;

describe('pfmsim report', () => {
  it('writes a self-contained HTML report from compare and attack results', async () => {
    const cmp = await runCli(
      ['compare', '--strategies', 'stack,ctx-cache,ctx-cache-naive,hybrid', '--contexts', '128', '--json'],
      {
        cwd: dir,
      },
    );
    expect(cmp.code, cmp.stderr).toBe(0);
    writeFileSync(join(dir, 'compare.json'), cmp.stdout);
    const att = await runCli(['attack', '--strategy', 'ctx-cache', '--contexts', '128', '--json'], {
      cwd: dir,
    });
    writeFileSync(join(dir, 'attack.json'), att.stdout);
    const rep = await runCli(['report', 'compare.json', 'attack.json', '-o', 'report.html'], { cwd: dir });
    expect(rep.code, rep.stderr).toBe(0);
    expectGolden('report', rep.stdout.replace(/\d+ bytes/, '<n> bytes'));
    summary = expectSchema(
      'report',
      (await runCli(['report', 'compare.json', '-o', 'r2.html', '--json'], { cwd: dir })).stdout,
    );
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).not.toMatch(/(src|href)="https?:/);
    expect(html).not.toContain('<script');
    expect(html).toContain('Content-Security-Policy" content="default-src \'none\'');
    expect((html.match(/<figure class="chart"/g) ?? []).length).toBe(summary.charts);
    expect(html).toMatch(/machine p4-2006 · seed 1 · pfmsim \d+\.\d+\.\d+/);
  }, 60_000);

  it.skipIf(!haveChromium)(
    `renders every chart in headless Chromium (skipped when ${CHROMIUM} is missing) and saves a screenshot`,
    async () => {
      expect(summary, 'the report test above ran first').toBeDefined();
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
        ],
      });
      try {
        const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
        const requests: string[] = [];
        page.on('request', (r) => requests.push(r.url()));
        await page.goto(pathToFileURL(join(dir, 'report.html')).href);
        const charts = await page.$$eval('figure.chart', (figs) =>
          figs.map((f) => {
            const svg = f.querySelector('svg');
            const box = svg?.getBoundingClientRect();
            const marks = [...f.querySelectorAll('.mark')].filter((m) => {
              const b = (m as unknown as { getBBox(): { width: number; height: number } }).getBBox();
              return b.width > 0 || b.height > 0;
            });
            return {
              id: f.getAttribute('data-chart'),
              caption: f.querySelector('figcaption')?.textContent ?? '',
              width: box?.width ?? 0,
              height: box?.height ?? 0,
              marks: marks.length,
            };
          }),
        );
        // cost per call for each syscall, change vs kmalloc, breakdown, pinned memory, stack budgets
        expect(charts.map((c) => c.id)).toEqual([
          'cost-0-pfm_read_pmds',
          'cost-0-pfm_write_pmds',
          'cost-0-pfm_write_pmcs',
          'relative-0',
          'breakdown-0',
          'pinned-0',
          'stack-budget',
        ]);
        expect(charts.length).toBe(summary!.charts);
        for (const c of charts) {
          expect(c.width, c.id).toBeGreaterThan(100);
          expect(c.height, c.id).toBeGreaterThan(100);
          expect(c.marks, `${c.id} has drawn marks`).toBeGreaterThan(0);
        }
        const rows = await page.$$eval('table.decision tbody tr', (trs) =>
          trs.map((tr) => tr.querySelector('td')?.textContent),
        );
        expect(rows).toEqual(['kmalloc', 'stack', 'ctx-cache', 'ctx-cache-naive', 'hybrid']);
        expect(requests.every((u) => u.startsWith('file:') || u.startsWith('data:'))).toBe(true);
        const artifacts = join(CLI_DIR, 'test-artifacts');
        mkdirSync(artifacts, { recursive: true });
        await page.screenshot({ path: join(artifacts, 'report.png'), fullPage: true });
        expect(existsSync(join(artifacts, 'report.png'))).toBe(true);
      } finally {
        await browser.close();
      }
    },
    90_000,
  );
});
