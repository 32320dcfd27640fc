/**
 * Reporters. A test is one scenario under one strategy. `human` (default) ends with the plain
 * line `N passed, N failed`; `tap` is TAP version 13; `junit` is JUnit XML for CI.
 */
import type { ScenarioResult, TestResult } from './run.js';
import type { SuiteResult } from './suite.js';

export const REPORTERS = ['human', 'tap', 'junit'] as const;
export type ReporterName = (typeof REPORTERS)[number];

export interface Reporter {
  scenario(r: ScenarioResult): void;
  end(suite: SuiteResult): void;
}

export function createReporter(name: ReporterName, write: (text: string) => void): Reporter {
  switch (name) {
    case 'human':
      return humanReporter(write);
    case 'tap':
      return tapReporter(write);
    case 'junit':
      return junitReporter(write);
  }
}

function indent(text: string, pad: string): string {
  return text
    .split('\n')
    .map((l) => pad + l)
    .join('\n');
}

export function humanReporter(write: (text: string) => void): Reporter {
  return {
    scenario(r) {
      const failed = r.tests.filter((t) => !t.passed);
      const ms = r.tests.reduce((a, t) => a + t.ms, 0);
      const strategies = r.tests.map((t) => t.strategy).filter((s) => s !== '-');
      const schedules = r.tests.reduce((a, t) => a + (t.schedules ?? 0), 0);
      const what = `${strategies.length} ${strategies.length === 1 ? `strategy: ${strategies[0]}` : 'strategies'}${schedules ? `, ${schedules} schedule${schedules === 1 ? '' : 's'}` : ''}, ${Math.round(ms)} ms`;
      if (failed.length === 0) {
        write(`PASS ${r.file}: ${r.scenario} (${what})\n`);
        return;
      }
      if (strategies.length === 0) {
        write(`FAIL ${r.file}: cannot run this scenario\n`);
      } else {
        write(`FAIL ${r.file}: ${r.scenario} (${failed.length} of ${r.tests.length} failed; ${what})\n`);
      }
      // strategies that failed the same way are reported together
      const groups = new Map<string, string[]>();
      for (const t of failed) {
        const key = t.failures.join('\n');
        groups.set(key, [...(groups.get(key) ?? []), t.strategy]);
      }
      for (const [key, names] of groups) {
        const tag = names[0] === '-' ? '' : `[${names.join(', ')}] `;
        const lines = key.split('\n');
        for (const f of lines.slice(0, 10)) write(`${indent(`${tag}${f}`, '    ')}\n`);
        if (lines.length > 10) write(`    ${tag}... ${lines.length - 10} more\n`);
      }
    },
    end(suite) {
      const n = suite.scenarios.length;
      const tests = suite.passed + suite.failed;
      write(
        `\n${n} scenario${n === 1 ? '' : 's'}, ${tests} test${tests === 1 ? '' : 's'} (a test is one scenario under one strategy), ${(suite.ms / 1000).toFixed(1)} s\n`,
      );
      write(`${suite.passed} passed, ${suite.failed} failed\n`);
    },
  };
}

function testName(t: TestResult): string {
  return `${t.file}: ${t.scenario} [${t.strategy}]`;
}

export function tapReporter(write: (text: string) => void): Reporter {
  let n = 0;
  write('TAP version 13\n');
  return {
    scenario(r) {
      for (const t of r.tests) {
        n++;
        write(`${t.passed ? 'ok' : 'not ok'} ${n} - ${testName(t).replace(/#/g, '\\#')}\n`);
        if (!t.passed) {
          write('  ---\n  message: |\n');
          for (const f of t.failures) write(`${indent(f, '    ')}\n`);
          write(`  duration_ms: ${Math.round(t.ms)}\n  ...\n`);
        }
      }
    },
    end(suite) {
      write(`1..${n}\n# ${suite.passed} passed, ${suite.failed} failed\n`);
    },
  };
}

function xml(text: string): string {
  return (
    text
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: XML 1.0 forbids these characters
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
  );
}

export function junitReporter(write: (text: string) => void): Reporter {
  const all: ScenarioResult[] = [];
  return {
    scenario(r) {
      all.push(r);
    },
    end(suite) {
      const tests = suite.passed + suite.failed;
      write('<?xml version="1.0" encoding="UTF-8"?>\n');
      write(
        `<testsuites name="pfmsim-test" tests="${tests}" failures="${suite.failed}" time="${(suite.ms / 1000).toFixed(3)}">\n`,
      );
      for (const r of all) {
        const failures = r.tests.filter((t) => !t.passed).length;
        const time = r.tests.reduce((a, t) => a + t.ms, 0) / 1000;
        write(
          `  <testsuite name="${xml(`${r.file}: ${r.scenario}`)}" tests="${r.tests.length}" failures="${failures}" time="${time.toFixed(3)}">\n`,
        );
        for (const t of r.tests) {
          const head = `    <testcase classname="${xml(r.file)}" name="${xml(`${r.scenario} [${t.strategy}]`)}" time="${(t.ms / 1000).toFixed(3)}"`;
          if (t.passed) write(`${head}/>\n`);
          else {
            write(
              `${head}>\n      <failure message="${xml(t.failures[0] ?? 'failed')}">${xml(t.failures.join('\n'))}</failure>\n    </testcase>\n`,
            );
          }
        }
        write('  </testsuite>\n');
      }
      write('</testsuites>\n');
    },
  };
}
