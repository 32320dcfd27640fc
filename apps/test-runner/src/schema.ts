/**
 * The scenario file format (YAML), as a zod schema. `scenario.schema.json` at the package
 * root is generated from it (`pnpm export-schema`); a test fails when it is stale.
 */
import { BUG_KINDS } from '@pfmsim/kernel-sim';
import { z } from 'zod';
import { ERRNO_NAMES, INT_STRING_PATTERN } from './values.js';

/** The calls a `call:` step can make, with the parameters each takes and its pointer's struct. */
export const CALLS = {
  pfm_create_context: {
    params: ['arg', 'flags', 'fmt_name', 'fmt_arg', 'fmt_size'],
    struct: 'ctx',
    vector: false,
  },
  pfm_write_pmcs: { params: ['fd', 'arg', 'count'], struct: 'pmc', vector: true },
  pfm_write_pmds: { params: ['fd', 'arg', 'count'], struct: 'pmd', vector: true },
  pfm_read_pmds: { params: ['fd', 'arg', 'count'], struct: 'pmd', vector: true },
  pfm_load_context: { params: ['fd', 'arg', 'pid', 'set'], struct: 'load', vector: false },
  pfm_start: { params: ['fd', 'arg', 'set'], struct: 'start', vector: false },
  pfm_stop: { params: ['fd'], struct: null, vector: false },
  pfm_restart: { params: ['fd'], struct: null, vector: false },
  pfm_create_evtsets: { params: ['fd', 'arg', 'count'], struct: 'setdesc', vector: true },
  pfm_getinfo_evtsets: { params: ['fd', 'arg', 'count'], struct: 'setinfo', vector: true },
  /** Q10: libpfm passes pfarg_setdesc; the kernel copies 192 x count bytes. */
  pfm_delete_evtsets: { params: ['fd', 'arg', 'count'], struct: 'setdesc', vector: true },
  pfm_unload_context: { params: ['fd'], struct: null, vector: false },
  read: { params: ['fd', 'arg', 'size'], struct: 'msg', vector: false },
  poll: { params: ['fd'], struct: null, vector: false },
  close: { params: ['fd'], struct: null, vector: false },
  dup: { params: ['fd'], struct: null, vector: false },
  set_nonblock: { params: ['fd', 'on'], struct: null, vector: false },
  /** The sampling buffer: returns its user address (save: it). */
  mmap: { params: ['fd', 'size', 'prot', 'offset'], struct: null, vector: false },
} as const;
export type CallName = keyof typeof CALLS;
export const CALL_NAMES = Object.keys(CALLS) as CallName[];

export const STRUCT_KINDS = [
  'pmc',
  'pmd',
  'ctx',
  'load',
  'start',
  'setdesc',
  'setinfo',
  'msg',
  // the default sampling format's argument, buffer header and entry (perfmon2-sampling.md §2.1)
  'smpl_arg',
  'smpl_hdr',
  'smpl_entry',
] as const;
export type StructKind = (typeof STRUCT_KINDS)[number];

/** Step actions (exactly one per step) and the parameters each accepts besides the common ones. */
export const ACTIONS = {
  call: [] as string[],
  run: ['workload', 'events'],
  sysfs_read: [],
  sysfs_write: ['value', 'uid'],
  ptrace_attach: [],
  ptrace_detach: [],
  exit: [],
  fill: ['value'],
  unmap: ['page'],
  drop_pages: ['page'],
  protect: ['prot', 'page'],
  check: ['fd'],
} as const;
export type ActionName = keyof typeof ACTIONS;
export const ACTION_NAMES = Object.keys(ACTIONS) as ActionName[];
export const COMMON_STEP_KEYS = ['thread', 'expect', 'save', 'differential', 'note'] as const;

const IntString = z
  .string()
  .regex(new RegExp(INT_STRING_PATTERN), 'an integer, a hex string or a constant name');
/** An integer: a YAML number, a decimal/hex string (beyond 2^53) or a perfmon2 constant name. */
export const Int = z.union([z.number().int(), IntString]);
const Ref = z
  .string()
  .regex(/^\$[A-Za-z_][\w-]*(?:\.(?:tid|pid|cpu))?$/, '$name, $thread.tid, $thread.cpu or $process.pid');
/** An integer or a reference to a saved value (`$fd`) or a thread/process id (`$worker.tid`). */
export const IntOrRef = z.union([z.number().int(), Ref, IntString]).meta({
  id: 'IntOrRef',
  description:
    'an integer, a "0x..." string, a constant name, $saved, $thread.tid, $thread.cpu or $process.pid',
});

const Scalar = z.union([z.number(), z.string(), z.boolean()]);
export const FieldValue = z.union([Scalar, z.array(Scalar)]);
/** A struct written by its C field names; omitted fields are zero. */
export const StructValue = z
  .record(z.string(), FieldValue)
  .meta({ id: 'StructValue', description: 'a pfarg struct by its C field names (omitted fields are zero)' });

const PageList = z.array(z.number().int().min(0));

export const BufferSpec = z
  .strictObject({
    struct: z.enum(STRUCT_KINDS).optional().describe('the pfarg struct the buffer holds'),
    value: z
      .union([StructValue, z.array(StructValue)])
      .optional()
      .describe('contents: one struct or a vector of structs'),
    count: z.number().int().min(0).optional().describe('elements (default: the length of value)'),
    bytes: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe('bytes to map (default: the data rounded up to pages)'),
    text: z.string().optional().describe('a C string (its NUL added): a sampling format name'),
    offset: z.number().int().min(0).optional().describe('where the data starts inside the mapping'),
    prot: z.enum(['rw', 'ro', 'none']).optional().describe('protection of the whole mapping (default rw)'),
    not_present: PageList.optional().describe('pages (0-based, of the mapping) made not present'),
    unmapped: PageList.optional().describe('pages unmapped'),
    boundary: z
      .strictObject({
        element: z.number().int().min(0).optional(),
        byte: z.number().int().min(0).optional(),
        fault: z.enum(['unmapped', 'readonly', 'not_present']),
      })
      .optional()
      .describe(
        'place the data so that element k (or byte k) starts a page, and make that page and the rest bad',
      ),
    process: z.string().optional().describe('the process whose memory holds it (default: the first)'),
  })
  .meta({ id: 'Buffer', description: 'a user buffer' });
export type BufferSpec = z.infer<typeof BufferSpec>;

/** Inline shorthand: `{pmd: [{reg_num: 0}]}`. */
export const InlineBuffer = z
  .partialRecord(z.enum(STRUCT_KINDS), z.union([StructValue, z.array(StructValue)]))
  .describe('shorthand inline buffer: {pmd: [...]} / {load: {...}}');

export const Pointer = z.union([z.null(), z.number().int(), z.string(), BufferSpec, InlineBuffer]).meta({
  id: 'Pointer',
  description:
    'a user pointer: null, a buffer name, "name+OFFSET", "unmapped", "readonly", "kernel", an address, or an inline buffer',
});
export type Pointer = z.infer<typeof Pointer>;

const ErrnoName = z.enum(ERRNO_NAMES as [string, ...string[]]);
const Bound = z.strictObject({ min: z.number().optional(), max: z.number().optional() });

export interface Expect {
  ret?: z.infer<typeof IntOrRef> | undefined;
  errno?: string | string[] | undefined;
  ok?: boolean | undefined;
  one_of?: Expect[] | undefined;
  out?: z.infer<typeof StructValue> | (z.infer<typeof StructValue> | null)[] | undefined;
  buffers?: Record<string, z.infer<typeof StructValue> | (z.infer<typeof StructValue> | null)[]> | undefined;
  unchanged?: boolean | undefined;
  value?: string | number | undefined;
  cost?: z.infer<typeof Bound> | undefined;
  memory?: 'baseline' | undefined;
  pinned?: { uid?: number | undefined; bytes?: number | undefined; max?: number | undefined } | undefined;
  smpl?: SmplExpect | undefined;
  by_strategy?: Record<string, Expect> | undefined;
}

/** check: smpl: the context's sampling buffer, by the C names of its header and entries. */
export interface SmplExpect {
  hdr?: Record<string, z.infer<typeof FieldValue>> | undefined;
  /** Entries in order (partial); `pmds` lists the values after the fixed part. */
  entries?: (Record<string, z.infer<typeof FieldValue>> | null)[] | undefined;
}

const SmplExpectSchema = z
  .strictObject({
    hdr: StructValue.optional().describe('header fields (hdr_count, hdr_cur_offs, hdr_overflows, ...)'),
    entries: z
      .array(z.union([StructValue, z.null()]))
      .optional()
      .describe(
        'entries in order (ovfl_pmd, ip, last_reset_val, set, cpu, ..., pmds: [values]); null skips one',
      ),
  })
  .meta({ id: 'SmplExpect', description: "the context's sampling buffer after the step" });

const OutValue = z.union([StructValue, z.array(z.union([StructValue, z.null()]))]);

export const ExpectSchema: z.ZodType<Expect> = z
  .strictObject({
    ret: IntOrRef.optional().describe('the call succeeds and returns this'),
    errno: z
      .union([ErrnoName, z.array(ErrnoName)])
      .optional()
      .describe('the call fails with this errno (or one of these)'),
    ok: z.boolean().optional().describe('the call succeeds (true) or fails (false), any value'),
    get one_of() {
      return z.array(ExpectSchema).optional().describe('any one of these expectations holds');
    },
    out: OutValue.optional().describe(
      'fields of the struct(s) at the pointer argument after the call (partial)',
    ),
    buffers: z.record(z.string(), OutValue).optional().describe('fields of named buffers after the step'),
    unchanged: z
      .boolean()
      .optional()
      .describe("the pointer argument's bytes are the same as before the call"),
    value: z.union([z.string(), z.number()]).optional().describe('sysfs_read: the value read'),
    cost: Bound.optional().describe('cycles charged to the thread by this step'),
    memory: z
      .literal('baseline')
      .optional()
      .describe('check: no kernel object allocated since the start is live'),
    pinned: z
      .strictObject({
        uid: z.number().int().min(0).optional().describe('the user (default: every user together)'),
        bytes: z.number().int().min(0).optional().describe('exactly this many bytes'),
        max: z.number().int().min(0).optional().describe('at most this many bytes'),
      })
      .optional()
      .describe("check: argument-buffer memory the strategy keeps for a user's contexts (owner args:uid:N)"),
    smpl: SmplExpectSchema.optional(),
    get by_strategy() {
      return z
        .record(z.string(), ExpectSchema)
        .optional()
        .describe('per-strategy expectations (replace the others)');
    },
  })
  .meta({ id: 'Expect', description: 'what the step must produce' });

export const StepSchema = z
  .strictObject({
    call: z
      .enum(CALL_NAMES as [CallName, ...CallName[]])
      .optional()
      .describe('a system call'),
    run: Int.optional().describe('run a workload in user mode for this many cycles'),
    sysfs_read: z.string().optional().describe('read /sys/kernel/perfmon/PATH'),
    sysfs_write: z
      .string()
      .optional()
      .describe("write /sys/kernel/perfmon/PATH (as the thread's uid unless uid: is given)"),
    ptrace_attach: z.string().optional().describe('PTRACE_ATTACH the named thread and stop it'),
    ptrace_detach: z.string().optional().describe('PTRACE_DETACH the named thread (it runs again)'),
    exit: z.string().optional().describe('the named thread exits (do_exit)'),
    fill: z.string().optional().describe('rewrite a named buffer with value:'),
    unmap: z.string().optional().describe('munmap a named buffer (or page: k of it)'),
    drop_pages: z.string().optional().describe("make a named buffer's pages (or page: k) not present"),
    protect: z.string().optional().describe('mprotect a named buffer (prot: rw|ro|none)'),
    check: z
      .enum(['memory', 'pinned', 'smpl'])
      .optional()
      .describe(
        'check kernel memory (expect: {memory: baseline}), pinned argument memory (expect: {pinned: {uid, bytes, max}}) or the sampling buffer of fd: (expect: {smpl: ...})',
      ),
    fd: IntOrRef.optional().describe('file descriptor (default $fd)'),
    arg: Pointer.optional(),
    count: IntOrRef.optional().describe("vector element count (default: the buffer's)"),
    flags: Int.optional().describe('pfm_create_context: ctx_flags of an inline pfarg_ctx'),
    pid: IntOrRef.optional().describe('pfm_load_context: load_pid of an inline pfarg_load'),
    set: IntOrRef.optional().describe(
      'pfm_load_context / pfm_start: load_set / start_set of an inline struct',
    ),
    fmt_name: Pointer.optional(),
    fmt_arg: Pointer.optional(),
    fmt_size: IntOrRef.optional(),
    size: IntOrRef.optional().describe('read: byte count; mmap: the length'),
    offset: IntOrRef.optional().describe('mmap: the offset in the file (default 0)'),
    on: z.boolean().optional().describe('set_nonblock: O_NONBLOCK on or off'),
    workload: z.string().optional().describe('run: a workload of workloads:'),
    events: z
      .record(
        z.string(),
        z.union([z.number(), z.strictObject({ user: z.number().optional(), kernel: z.number().optional() })]),
      )
      .optional()
      .describe('run: events per cycle, by event name of the PMU model'),
    value: z.union([z.string(), z.number(), StructValue, z.array(StructValue)]).optional(),
    uid: z.number().int().min(0).optional(),
    page: z.number().int().min(0).optional(),
    prot: z.enum(['rw', 'ro', 'none']).optional(),
    thread: z
      .string()
      .optional()
      .describe('the thread that runs this step (sequential lists; default the first)'),
    expect: ExpectSchema.optional(),
    save: z
      .string()
      .regex(/^[A-Za-z_][\w-]*$/)
      .optional()
      .describe('save the result as $NAME (create: the new fd)'),
    differential: z.boolean().optional().describe('false: leave this step out of the strategy comparison'),
    note: z.string().optional(),
  })
  .meta({
    id: 'Step',
    description: 'one step: exactly one action (call, run, sysfs_read, ...) and its parameters',
  });
export type Step = z.infer<typeof StepSchema>;

const FaultAttr = z
  .strictObject({
    probability: z.number().min(0).max(100).optional(),
    interval: z.number().int().min(1).optional(),
    nth: z.number().int().min(1).optional(),
    times: z.number().int().min(-1).optional(),
    space: z.number().int().min(0).optional(),
    filter: z
      .string()
      .optional()
      .describe('only allocations/copies whose tag contains this (pfm_get_args, pfm_context_alloc)'),
  })
  .meta({ id: 'FaultAttr', description: 'Linux fault-injection attributes' });

export const MachineSpec = z.union([
  z.string().describe('a lab machine preset (p4-2006, core2-2007, k8-2006, ...)'),
  z.strictObject({
    preset: z.string().optional(),
    arch: z.string().optional(),
    cost: z.string().optional(),
    pmu: z.string().optional(),
  }),
]);

export const ExploreSpec = z.strictObject({
  mode: z
    .enum(['exhaustive', 'dpor', 'random', 'pct'])
    .describe('exhaustive: every schedule within the bound; dpor: one per class of equivalent schedules'),
  max_preemptions: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe('preemption bound: exhaustive (default 2); dpor (default none; with one it may be incomplete)'),
  schedules: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe('random/pct: schedules; exhaustive/dpor: a cap (a search the cap stops fails as incomplete)'),
  seed: z.number().int().min(0).optional(),
  pct_depth: z.number().int().min(1).optional(),
});

export const ScenarioSchema = z
  .strictObject({
    $schema: z.string().optional(),
    name: z.string().min(1),
    description: z.string().optional(),
    machine: MachineSpec.describe('a lab preset id, or {preset?, arch?, cost?, pmu?}'),
    abi: z.enum(['v2.3', 'v2.2', 'v2-compact']).optional().describe('ABI profile (default v2.3)'),
    plugins: z
      .array(z.string().min(1))
      .optional()
      .describe(
        'plugins loaded for this scenario only: module paths relative to this file, or installed package names',
      ),
    strategy: z
      .union([z.string(), z.array(z.string()).min(1)])
      .optional()
      .describe(
        'a strategy, a list, or "all" (every shipped or plugin strategy except the broken ones, such as ctx-cache-naive/spinsplit)',
      ),
    seed: z.number().int().min(0).optional(),
    cpus: z.number().int().min(1).max(64).optional(),
    arena_bytes: z
      .number()
      .int()
      .min(65536)
      .optional()
      .describe('kernel memory arena (default 1 MiB; 256 KiB with explore)'),
    options: z
      .strictObject({
        retflags: z.enum(['historical', 'intent']).optional(),
        notify_block_self: z.enum(['einval', 'allow']).optional(),
        disabled: z.boolean().optional(),
      })
      .optional(),
    sysfs: z
      .record(z.string(), z.union([z.string(), z.number()]))
      .optional()
      .describe('written as root before the steps'),
    faults: z
      .strictObject({ failslab: FaultAttr.optional(), fail_usercopy: FaultAttr.optional() })
      .optional(),
    processes: z
      .array(
        z.strictObject({
          name: z.string(),
          uid: z.number().int().min(0).optional(),
          gid: z.number().int().min(0).optional(),
          fd_limit: z.number().int().min(1).optional(),
          memlock: z
            .number()
            .int()
            .min(0)
            .optional()
            .describe('RLIMIT_MEMLOCK in bytes (sampling buffers are charged to it; default 8 pages)'),
        }),
      )
      .optional(),
    threads: z
      .array(
        z.strictObject({
          name: z.string(),
          process: z.string().optional(),
          cpu: z.number().int().min(0).optional(),
          steps: z.array(StepSchema).optional().describe("run concurrently with the other threads' steps"),
        }),
      )
      .optional(),
    buffers: z.record(z.string(), BufferSpec).optional(),
    workloads: z
      .record(
        z.string(),
        z.record(
          z.string(),
          z.union([
            z.number(),
            z.strictObject({ user: z.number().optional(), kernel: z.number().optional() }),
          ]),
        ),
      )
      .optional(),
    steps: z
      .array(StepSchema)
      .optional()
      .describe("the sequential script, before the threads' concurrent steps"),
    after: z.array(StepSchema).optional().describe('sequential steps after the concurrent part'),
    schedule: z.enum(['run-to-completion', 'round-robin', 'random']).optional(),
    explore: ExploreSpec.optional(),
    expect: z
      .strictObject({
        bugs: z
          .array(z.enum(BUG_KINDS))
          .optional()
          .describe('KernelBug kinds that must occur (default: none may)'),
        leak_check: z
          .boolean()
          .optional()
          .describe('after closing every fd and exiting every thread (default true)'),
        differential: z.boolean().optional().describe('strategies must agree (default true)'),
        differential_ignore: z
          .array(z.string())
          .optional()
          .describe('struct fields left out of the comparison between strategies (e.g. msg_ovfl_ip)'),
      })
      .optional(),
  })
  .meta({
    title: 'pfmsim-test scenario',
    description: 'A perfmon2 scenario run by pfmsim-test against pfmsim.',
  });

export type Scenario = z.infer<typeof ScenarioSchema>;
