import { type ArchId, type FrameWarning, getArch, ThreadKilled } from '@pfmsim/kernel-sim';
import { ELEM_SIZES, StrategyLab } from './lab.js';
import { type ArgBufferStrategy, ELEM_KINDS, type ElemKind } from './spec.js';

export interface StackReportRow {
  readonly kind: ElemKind;
  readonly elemSize: number;
  /** Elements the strategy keeps on the stack for this kind (0: no array). */
  readonly elements: number;
  readonly frameBytes: number;
  /** The frame is larger than CONFIG_FRAME_WARN (the build would warn). */
  readonly frameWarnExceeded: boolean;
  /** Deepest kernel stack use measured during a call that fills the array. */
  readonly measuredDepth: number;
  /** Usable stack left below that depth: THREAD_SIZE - reserved - measuredDepth. */
  readonly margin: number;
  /** The call overflowed the stack (the simulator killed the thread). */
  readonly overflow: boolean;
}

export interface StackReport {
  readonly strategy: string;
  readonly arch: ArchId;
  readonly threadSize: number;
  readonly reservedBytes: number;
  /** THREAD_SIZE minus what shares the area (thread_info; on ia64 task_struct + RBS). */
  readonly usable: number;
  readonly entryDepth: number;
  readonly frameWarn: number;
  readonly rows: readonly StackReportRow[];
  readonly warnings: readonly FrameWarning[];
  readonly assumption: string;
}

/**
 * Measures a strategy's stack use on one arch: for each element kind it runs one vector call
 * that fills the on-stack array (one element if there is none) in a StrategyLab, and reports
 * the frame against CONFIG_FRAME_WARN and the deepest stack use against the usable stack.
 * The depth starts from the syscall entry path's depth, which kernel-sim's arch profile gives
 * as a documented assumption (pt_regs plus entry and dispatch frames, e.g. 160 B on i386).
 */
export function stackReport(strategy: ArgBufferStrategy, archId: ArchId): StackReport {
  const arch = getArch(archId);
  const rows: StackReportRow[] = [];
  const warnings: FrameWarning[] = [];
  for (const kind of ELEM_KINDS) {
    const elemSize = ELEM_SIZES[kind];
    const frameBytes = strategy.frameBytes(kind, elemSize, arch);
    const elements = Math.floor(frameBytes / elemSize);
    const lab = new StrategyLab({
      arch: archId,
      cost: 'p4-2006',
      seed: 1,
      strategy,
      arenaBytes: Math.max(1 << 20, 64 * arch.pageSize),
    });
    const count = Math.max(1, Math.min(elements, Math.floor(lab.limit / elemSize)));
    const t = lab.thread('stack-probe');
    const ctx = lab.openContext(t);
    const u = lab.process.mm.mmap(count * elemSize);
    let overflow = false;
    try {
      lab.k.runSync(t, lab.call(t, ctx, kind, count, u));
    } catch (e) {
      if (!(e instanceof ThreadKilled)) throw e;
      overflow = true;
    }
    const measuredDepth = t.callStackHigh;
    for (const w of lab.k.stacks.warnings) warnings.push(w);
    rows.push({
      kind,
      elemSize,
      elements,
      frameBytes,
      frameWarnExceeded: frameBytes > arch.frameWarn,
      measuredDepth,
      margin: lab.k.stacks.usable - measuredDepth,
      overflow,
    });
  }
  return {
    strategy: strategy.name,
    arch: arch.id,
    threadSize: arch.threadSize,
    reservedBytes: arch.reservedBytes,
    usable: arch.threadSize - arch.reservedBytes,
    entryDepth: arch.syscallEntryDepth,
    frameWarn: arch.frameWarn,
    rows,
    warnings,
    assumption: `syscall entry depth ${arch.syscallEntryDepth} B (${arch.sources.find((s) => s.startsWith('entry depth')) ?? 'kernel-sim arch profile'}); the frame holds only the argument array; the margin is what is left for the back-end, the copy routines and a page fault taken by the copy`,
  };
}

/** One line per kind with an array, e.g. "pmd: 8 x 176 = 1408 B (FRAME_WARN 1024: exceeded), depth 1568, margin 2472 B of 4040". */
export function formatStackReport(r: StackReport): string {
  const lines = [
    `${r.strategy} on ${r.arch}: THREAD_SIZE ${r.threadSize} B, usable ${r.usable} B, entry depth ${r.entryDepth} B, FRAME_WARN ${r.frameWarn} B`,
  ];
  for (const row of r.rows) {
    if (row.frameBytes === 0) continue;
    lines.push(
      `  ${row.kind}: ${row.elements} x ${row.elemSize} = ${row.frameBytes} B (${row.frameWarnExceeded ? 'exceeds' : 'within'} FRAME_WARN), measured depth ${row.measuredDepth} B, margin ${row.margin} B${row.overflow ? ' OVERFLOW' : ''}`,
    );
  }
  return lines.join('\n');
}
