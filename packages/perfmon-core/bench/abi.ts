// ABI benchmarks: hot-path accessors vs the allocating codecs. `pnpm bench` from the root.
import { cpus, platform } from 'node:os';
import {
  bvNextSet,
  createPfargPmd,
  decodePmd,
  encodePmd,
  getAbiProfile,
  PMD_OFF,
  pmdLongReset,
  pmdRegFlags,
  pmdRegNum,
  pmdValue,
  setPmdValue,
  u64Hi,
  u64Lo,
} from '@pfmsim/perfmon-core';

const abi = getAbiProfile('v2.3');
const COUNT = 4;
const view = new DataView(new ArrayBuffer(COUNT * abi.sizes.pmd));
for (let i = 0; i < COUNT; i++) {
  encodePmd(view, i * abi.sizes.pmd, createPfargPmd({ reg_num: i, reg_value: BigInt(-i * 1000) }), abi);
}

let sink = 0;
function bench(name: string, ops: number, fn: () => void): void {
  for (let i = 0; i < ops / 10; i++) fn(); // warm-up
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < ops; i++) fn();
  const ns = Number(process.hrtime.bigint() - t0);
  console.log(
    `${name.padEnd(48)} ${Math.round((ops * 1e9) / ns)
      .toLocaleString('en-US')
      .padStart(14)} ops/s`,
  );
}

console.log(`machine: ${cpus()[0]?.model ?? 'unknown cpu'}, ${platform()}, node ${process.version}`);
bench('accessors: walk 4 pmds (num, flags, lo/hi, bitmap)', 2_000_000, () => {
  for (let i = 0, off = 0; i < COUNT; i++, off += abi.sizes.pmd) {
    sink += pmdRegNum(view, off) + pmdRegFlags(view, off) + u64Lo(view, off + 8) + u64Hi(view, off + 8);
    sink += bvNextSet(view, off + PMD_OFF.reg_reset_pmds, 5);
  }
});
bench('accessors: walk 4 pmds (bigint value + reset)', 2_000_000, () => {
  for (let i = 0, off = 0; i < COUNT; i++, off += abi.sizes.pmd) {
    const v = pmdValue(view, off) + pmdLongReset(view, off);
    setPmdValue(view, off, BigInt.asUintN(64, v));
  }
});
bench('codecs: decode 4 pmds', 200_000, () => {
  for (let i = 0; i < COUNT; i++) sink += decodePmd(view, i * abi.sizes.pmd, abi).reg_num;
});
const pmd = createPfargPmd({ reg_num: 3 });
bench('codecs: encode 4 pmds', 200_000, () => {
  for (let i = 0; i < COUNT; i++) encodePmd(view, i * abi.sizes.pmd, pmd, abi);
});
if (sink === -1) console.log(sink);
