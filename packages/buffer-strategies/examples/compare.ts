import { allStrategies, cyclesPerCall, isBrokenStrategy } from '@pfmsim/buffer-strategies';

// Cycles of one pfm_read_pmds call (saved reads, one thread, steady state) for every
// strategy, on a 2006 Pentium 4 and on a modern x86-64. * = wrong on purpose (see README).
const counts = [1, 4, 8, 16, 23];
for (const [arch, cost] of [
  ['i386', 'p4-2006'],
  ['x86_64-16k', 'modern-x86_64'],
]) {
  console.log(`${arch} ${cost}: cycles per call by pfarg_pmd count`);
  console.log(`  ${'strategy'.padEnd(21)}${counts.map((n) => String(n).padStart(6)).join('')}`);
  for (const s of allStrategies()) {
    const broken = isBrokenStrategy(s.name);
    const cells = counts.map((n) => cyclesPerCall(s, arch!, cost!, n, { allowBugs: broken }));
    console.log(
      `  ${(s.name + (broken ? ' *' : '')).padEnd(21)}${cells.map((c) => String(c).padStart(6)).join('')}`,
    );
  }
}
