// Runs validation and the conformance suite over model files and prints every finding.
// Run: pnpm --filter @pfmsim/pmu-models conformance [file.json ...] (paths relative to where
// pnpm was run)
// With no arguments it checks every file in the package's models/ directory and in
// PFMSIM_EXTRA_MODELS. Exit status 1 when anything fails.
import { resolve } from 'node:path';
import { formatFinding, runConformance } from '../src/conformance.js';
import { InvalidModelError, listModelFiles, loadModelFile, modelDirectories } from '../src/registry.js';
import { formatValidationError } from '../src/validate.js';

const args = process.argv.slice(2);
// pnpm runs package scripts in the package directory; INIT_CWD is where pnpm was invoked, so
// `pnpm --filter @pfmsim/pmu-models conformance packages/.../x.json` works from the root.
const base = process.env.INIT_CWD ?? process.cwd();
const files =
  args.length > 0 ? args.map((f) => resolve(base, f)) : modelDirectories().flatMap((d) => listModelFiles(d));
let failed = 0;
for (const file of files) {
  try {
    const model = loadModelFile(file);
    const findings = runConformance(model, { file });
    if (findings.length === 0) {
      process.stdout.write(`ok   ${model.id} (${file}): ${model.events.length} events\n`);
    } else {
      failed++;
      process.stdout.write(
        `FAIL ${model.id} (${file})\n${findings.map((f) => `  ${formatFinding(f)}\n`).join('')}`,
      );
    }
  } catch (error) {
    failed++;
    if (error instanceof InvalidModelError) {
      process.stdout.write(
        `FAIL ${file}\n${error.errors.map((e) => `  ${formatValidationError(e)}\n`).join('')}`,
      );
    } else {
      process.stdout.write(`FAIL ${file}: ${(error as Error).message}\n`);
    }
  }
}
process.stdout.write(`conformance: ${files.length - failed} passed, ${failed} failed\n`);
process.exit(failed === 0 ? 0 : 1);
