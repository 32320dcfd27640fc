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
    expect((html.match(/<figure class="chart[" ]/g) ?? []).length).toBe(summary.charts);
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
          'relative-0-pfm_read_pmds',
          'relative-0-pfm_write_pmds',
          'relative-0-pfm_write_pmcs',
          'cost-0-pfm_read_pmds',
          'cost-0-pfm_write_pmds',
          'cost-0-pfm_write_pmcs',
          'breakdown-0',
          'pinned-0',
          'race-0-ctx-cache-naive',
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
      } finally {
        await browser.close();
      }
    },
    90_000,
  );

  it.skipIf(!haveChromium)(
    'fits 1280 px and 420 px without sideways scrolling, in a light and a dark scheme; screenshots in test-artifacts/report-screenshots',
    async () => {
      expect(summary, 'the report test above ran first').toBeDefined();
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu'],
      });
      const shots = join(CLI_DIR, 'test-artifacts', 'report-screenshots');
      mkdirSync(shots, { recursive: true });
      const looks: Record<string, { background: string; text: string; series: string }> = {};
      try {
        for (const width of [1280, 420]) {
          for (const scheme of ['light', 'dark'] as const) {
            const page = await browser.newPage({ viewport: { width, height: 900 }, colorScheme: scheme });
            await page.goto(pathToFileURL(join(dir, 'report.html')).href);
            // a string, evaluated in the page (this package's types have no DOM)
            const seen = (await page.evaluate(`(() => {
              const root = document.documentElement;
              const thead = document.querySelector('table.decision thead');
              const series = document.querySelector('g.series');
              return {
                scrollWidth: root.scrollWidth,
                clientWidth: root.clientWidth,
                background: getComputedStyle(document.body).backgroundColor,
                text: getComputedStyle(document.body).color,
                series: series ? getComputedStyle(series).color : '',
                headDisplay: thead ? getComputedStyle(thead).display : '',
                captionWidth: document.querySelector('table.decision caption')?.getBoundingClientRect().width ?? 0,
                widest: Math.max(...[...document.body.querySelectorAll('*')].map((e) => e.getBoundingClientRect().right)),
              };
            })()`)) as {
              scrollWidth: number;
              clientWidth: number;
              background: string;
              text: string;
              series: string;
              headDisplay: string;
              captionWidth: number;
              widest: number;
            };
            const label = `${width} px ${scheme}`;
            expect(seen.scrollWidth, `${label}: no horizontal overflow`).toBeLessThanOrEqual(
              seen.clientWidth,
            );
            expect(seen.widest, `${label}: nothing drawn past the right edge`).toBeLessThanOrEqual(width);
            // below 640 px the decision table is one card per strategy, its header hidden
            expect(seen.headDisplay, label).toBe(width < 640 ? 'none' : 'table-header-group');
            // the table's caption reads as a line, not a column of letters
            expect(seen.captionWidth, label).toBeGreaterThan(300);
            looks[label] = { background: seen.background, text: seen.text, series: seen.series };
            const file = join(shots, `report-${width}-${scheme}.png`);
            await page.screenshot({ path: file, fullPage: true });
            expect(existsSync(file)).toBe(true);
            await page.close();
          }
        }
      } finally {
        await browser.close();
      }
      for (const width of [1280, 420]) {
        const light = looks[`${width} px light`]!;
        const dark = looks[`${width} px dark`]!;
        expect(light.background).toBe('rgb(255, 255, 255)');
        expect(dark.background).toBe('rgb(18, 20, 23)');
        expect(dark.text).not.toBe(light.text);
        // the series colours change with the scheme too (lighter on the dark background)
        expect(light.series).toBe('rgb(213, 94, 0)');
        expect(dark.series).toBe('rgb(255, 140, 74)');
      }
    },
    120_000,
  );
});
