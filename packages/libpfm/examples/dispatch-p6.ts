import { PFM_PLM3, PfmError, pfmInitialize } from '@pfmsim/libpfm';

// pfm_initialize() on a simulated Pentium III: the host model is what detection finds.
const lib = pfmInitialize({ model: 'intel-p6' });
console.log(`${lib.getPmuName()}: ${lib.getNumCounters()} counters, ${lib.getNumEvents()} events`);

// pfm_find_full_event + pfm_dispatch_events, user level only, with libpfm's verbose lines.
const events = ['CPU_CLK_UNHALTED', 'l2_rqsts:m:e'].map((spec) => lib.findFullEvent(spec));
const { output, lines } = lib.dispatchEventsVerbose({ events, dflPlm: PFM_PLM3 });
for (const line of lines) console.log(line);
for (const [i, pmd] of output.pmds.entries()) {
  console.log(`${lib.getFullEventName(events[i]!)} -> pmd${pmd.regNum}`);
}
console.log(output.pmcs.map((pmc) => `pmc${pmc.regNum}=0x${pmc.regValue.toString(16)}`).join(' '));

// Two events that both need counter 0: one error class, libpfm's code, a message naming them.
try {
  lib.dispatchEvents({
    events: ['FLOPS', 'CYCLES_DIV_BUSY'].map((s) => lib.findFullEvent(s)),
    dflPlm: PFM_PLM3,
  });
} catch (error) {
  if (!(error instanceof PfmError)) throw error;
  console.log(`${error.codeName} (${error.code}): ${error.message}`);
}
