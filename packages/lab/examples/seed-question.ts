import { exploreRaces, getMachine, measureCall, runAttack } from '@pfmsim/lab';

// The seed's question on its own machine: a 2006 Pentium 4, pfm_read_pmds with 4 registers.
const p4 = getMachine('p4-2006');
for (const strategy of ['kmalloc', 'stack', 'ctx-cache', 'hybrid']) {
  const call = measureCall({ machine: p4, strategy, syscall: 'pfm_read_pmds', count: 4 });
  const attack = runAttack({ machine: p4, strategy, contexts: 1024 });
  const race = exploreRaces({ machine: p4, strategy, maxPreemptions: 2 });
  console.log(
    `${strategy.padEnd(10)} ${call.cyclesPerCall} cycles/call, ${attack.pinnedBytesAfter} B pinned by 1024 contexts, ` +
      `${race.raceFree ? 'race-free' : race.bugKinds.join('+')} over ${race.schedules} schedules`,
  );
}
