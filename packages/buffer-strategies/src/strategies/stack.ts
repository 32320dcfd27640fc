import { InvalidArgumentError } from '@pfmsim/kernel-sim';
import type { ArgBufferStrategy, ArgKind } from '../spec.js';
import { archStackArgs, archStackArgsV3 } from '../stack-args.js';
import { HOW_STACK, kfreeBuffer, kmallocBuffer } from './common.js';

export interface StackStrategyOptions {
  /** Elements kept on the stack per kind; default: the arch's PFM_ARCH_P?C_STK_ARG. */
  pmc?: number;
  pmd?: number;
  /** Convenience: the same threshold for pmc and pmd (the seed tried 8). */
  threshold?: number;
}

/**
 * `stack`: an on-stack array per element kind (V17–V19); vectors that fit use it, larger ones
 * fall back to kmalloc. The array occupies the frame on every call, whatever the count.
 * Like V17–V19, the stack path skips the arg_size_max check (quirk Q4: harmless, since the
 * sysfs minimum is PAGE_SIZE and every stack array is smaller).
 */
export function createStackStrategy(opts: StackStrategyOptions = {}): ArgBufferStrategy {
  for (const key of ['pmc', 'pmd', 'threshold'] as const) {
    const v = opts[key];
    if (v !== undefined && (!Number.isInteger(v) || v < 0 || v > 1024)) {
      throw new InvalidArgumentError(`stack strategy ${key}`, v, 'an integer from 0 to 1024');
    }
  }
  const elements = (kind: ArgKind, elemSize: number, archId: Parameters<typeof archStackArgs>[0]): number => {
    if (kind !== 'pmc' && kind !== 'pmd') return 0; // the evtset calls pass lsz = 0
    // perfmon3's 16-byte pfarg_pmr vectors share one u64 stack buffer (PFM_ARCH_STK_ARG)
    const archDefault = elemSize === 16 ? archStackArgsV3(archId) : archStackArgs(archId, kind);
    return opts[kind] ?? opts.threshold ?? archDefault;
  };
  return {
    specificationVersion: 'v1',
    // Named after the seed's threshold when one is given; per-kind sizes keep the plain name.
    name: opts.threshold !== undefined ? `stack(${opts.threshold})` : 'stack',
    description: 'on-stack array per element kind, kmalloc above it',
    pinnedFormula: '0 between calls',
    stackFootprint:
      'STK_ARG(kind) x sizeof(element) in every vector syscall frame (pmd: 4 x 176 = 704 B on x86)',
    frameBytes: (kind, elemSize, arch) => elements(kind, elemSize, arch.id) * elemSize,
    acquire(call) {
      if (call.bytes <= call.stackBytes) {
        call.buf = call.stackArea;
        call.how = HOW_STACK;
        return call.buf;
      }
      return kmallocBuffer(call);
    },
    release: kfreeBuffer,
  };
}
