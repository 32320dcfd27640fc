import {
  argLimitTable,
  createPfargPmd,
  decodePmd,
  encodePfargVector,
  getAbiProfile,
  PFM_REGFL_OVFL_NOTIFY,
  pmdRegNum,
  pmdValue,
  setPmdValue,
} from '@pfmsim/perfmon-core';

const abi = getAbiProfile('v2.3');

// User side (what libpfm marshals): two pfarg_pmd, the first loaded with a negative period.
const view = new DataView(new ArrayBuffer(2 * abi.sizes.pmd));
encodePfargVector(
  'pmd',
  view,
  0,
  [
    createPfargPmd({
      reg_num: 0,
      reg_flags: PFM_REGFL_OVFL_NOTIFY,
      reg_value: -100000n,
      reg_long_reset: -100000n,
    }),
    createPfargPmd({ reg_num: 1 }),
  ],
  abi,
);

// Kernel side: allocation-free accessors over the same bytes; the stride comes from the profile.
for (let off = 0; off < view.byteLength; off += abi.sizes.pmd) {
  console.log(`pmd${pmdRegNum(view, off)} = 0x${pmdValue(view, off).toString(16)}`);
}
setPmdValue(view, abi.sizes.pmd, 42n);
console.log(`read back: ${decodePmd(view, abi.sizes.pmd, abi).reg_value}`);

// §4.3: elements per call before E2BIG at the default 4096-byte limit.
for (const row of argLimitTable(abi, 4096)) {
  console.log(`${row.struct}: ${row.size} B, at most ${row.maxCount} per call`);
}
console.log(
  `v2.2 pfarg_ctx: ${getAbiProfile('v2.2').sizes.ctx} B; v2-compact pfarg_pmd: ${getAbiProfile('v2-compact').sizes.pmd} B`,
);
