/**
 * The PMU model file format (`models/<vendor>/<model>.json`) as a zod schema.
 *
 * This schema describes the file exactly as written: 64-bit quantities are hex strings,
 * small integers are numbers, and unknown keys are rejected (so a misspelt key is an error
 * rather than silently ignored). `model.ts` turns a parsed file into the normalised
 * {@link PmuModel} with bigints and lookups; `validate.ts` adds the semantic rules.
 *
 * The JSON Schema that model files reference with `$schema` is generated from this file
 * (`pnpm --filter @pfmsim/pmu-models export-schema`), so every `describe()` text below is
 * what an editor shows on hover.
 */
import { z } from 'zod';

/** perfmon2 `PFM_REG_*` register type flags (perfmon2-abi.md §9.1). */
export const REGISTER_FLAGS = ['I', 'WC', 'C64', 'RO', 'V', 'INTR', 'SYS', 'THR', 'NO64'] as const;
export type RegisterFlag = (typeof REGISTER_FLAGS)[number];

/** Bit value of each flag in the 16-bit `pfm_reg_desc.type` field. */
export const REGISTER_FLAG_BITS: Readonly<Record<RegisterFlag, number>> = {
  I: 0x01,
  WC: 0x02,
  C64: 0x04,
  RO: 0x08,
  V: 0x10,
  INTR: 0x20,
  SYS: 0x40,
  THR: 0x80,
  NO64: 0x100,
};

/** Flags that only a PMD may carry (`pfm_pmu_register` refuses RO or V on a PMC). */
export const PMD_ONLY_FLAGS: readonly RegisterFlag[] = ['C64', 'RO', 'V'];
/** Flags that only a PMC may carry. */
export const PMC_ONLY_FLAGS: readonly RegisterFlag[] = ['NO64'];

/** kernel-sim arch ids a PMU model may run on. */
export const ARCH_IDS = [
  'i386',
  'i386-4k',
  'x86_64',
  'x86_64-16k',
  'ia64',
  'ppc32',
  'ppc64',
  'mips64',
  'sparc64',
] as const;
export type ArchId = (typeof ARCH_IDS)[number];

/** perfmon2 refuses a PMU description with 320 or more registers of a kind (indexes 0–319). */
export const MAX_REGISTER_INDEX = 319;

/** A 64-bit quantity: `0x` and 1 to 16 hex digits. */
export const HEX64_PATTERN = /^0x[0-9a-fA-F]{1,16}$/;
const ID_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const VENDOR_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** Event and unit-mask names: no whitespace and no `:` (the umask separator of `EVENT:UMASK`). */
const EVENT_NAME_PATTERN = /^[^\s:]+$/;
const NAME_ERROR = 'expected a name without whitespace or ":" (the EVENT:UMASK separator)';

const hex64 = (what: string) =>
  z
    .string()
    .regex(HEX64_PATTERN, { error: `expected a 64-bit hex string such as "0x1f" (${what})` })
    .describe(`${what}: a hex string, "0x" and 1 to 16 hex digits`);

const registerIndex = z.number().int().min(0).describe('perfmon2 logical register index (0–319)');
const counterIndex = z.number().int().min(0).describe('a PMD index');

const FixedCounterSchema = z
  .strictObject({
    pmd: counterIndex.describe('index of the fixed-counter PMD'),
    pmc: registerIndex.describe(
      'index of the PMC that enables the fixed counter (it must list the PMD in `controls`)',
    ),
  })
  .describe('a fixed counter that can count this event, in addition to the generic `counters`');

const flagList = z
  .array(z.string().min(1))
  .describe('free-form model flags, e.g. PEBS, FIXED2_ONLY, NORTHBRIDGE');

const registerFields = {
  index: registerIndex,
  name: z.string().min(1).describe('register name as perfmon2 prints it (`desc`), e.g. PERFEVTSEL0'),
  type: z
    .array(z.enum(REGISTER_FLAGS))
    .min(1)
    .describe('perfmon2 PFM_REG_* type flags; I (implemented) is required'),
  defaultValue: hex64('dfl_val: value of an unwritten register'),
  reservedMask: hex64('rsvd_msk in the v2.3 meaning: a 1 bit is reserved'),
  reservedMaskV22: hex64('the raw V18 (v2.2) rsvd_msk where it differed, e.g. POWER5 0x0').optional(),
  hwAddr: hex64('hw_addr: MSR, SPR or hardware index').optional(),
  width: z.number().int().min(1).max(64).describe('register width in bits if not counterWidth').optional(),
  note: z.string().describe('free-form remark').optional(),
};

export const PmcFileSchema = z
  .strictObject({
    ...registerFields,
    noEmul64Mask: hex64('no_emul64_msk: bits cleared when NO_EMUL64 is requested').optional(),
    controls: z
      .array(counterIndex)
      .describe('indexes of the PMDs this PMC drives (programs or enables)')
      .optional(),
  })
  .describe('a PMC (configuration register) descriptor');

export const PmdFileSchema = z
  .strictObject(registerFields)
  .describe('a PMD (data register) descriptor; C64 marks a 64-bit virtualised counter');

export const UnitMaskFileSchema = z
  .strictObject({
    name: z
      .string()
      .regex(EVENT_NAME_PATTERN, { error: NAME_ERROR })
      .describe('unit mask name, as in EVENT:NAME'),
    value: hex64('unit mask value, within encoding.umaskBits'),
    aliases: z
      .array(z.string().regex(EVENT_NAME_PATTERN, { error: NAME_ERROR }))
      .describe('other names the unit mask is found by (e.g. the names later libpfm versions gave it)')
      .optional(),
    libpfmValue: hex64(
      "the value libpfm-3.10's table gives the unit mask where it is wrong about the hardware (used only when that libpfm bug is asked for)",
    ).optional(),
    description: z.string().optional(),
    counters: z
      .array(counterIndex)
      .describe("PMD indexes allowed with this unit mask, overriding the event's")
      .optional(),
    fixed: FixedCounterSchema.optional(),
    flags: flagList.optional(),
    note: z.string().optional(),
  })
  .describe('a unit mask (sub-event qualifier)');

export const EventFileSchema = z
  .strictObject({
    name: z
      .string()
      .regex(EVENT_NAME_PATTERN, { error: NAME_ERROR })
      .describe('event name, unique case-insensitively'),
    code: hex64('event code; on x86-evtsel bits 8–15 may carry a built-in unit mask'),
    counters: z
      .array(counterIndex)
      .describe('generic counter PMD indexes that may count this event (the constraint mask)'),
    description: z.string(),
    unitMasks: z.array(UnitMaskFileSchema).optional(),
    umaskCombinable: z
      .boolean()
      .describe('several unit masks may be OR-ed together (P6 UMASK_COMBO; Core: not NCOMBO)')
      .optional(),
    fixed: FixedCounterSchema.optional(),
    flags: flagList.optional(),
    modelData: z
      .record(z.string(), z.unknown())
      .describe('scheme-specific data (P4 ESCR/CCCR selects, Itanium maxincr, ...)')
      .optional(),
    note: z.string().optional(),
  })
  .describe('a hardware event');

export const CpuFileSchema = z
  .strictObject({
    family: z
      .number()
      .int()
      .min(0)
      .max(255)
      .describe(
        'CPUID family with the extended family added, as libpfm computes it: 15 for K8, 16 for Family 10h',
      ),
    models: z
      .array(z.number().int().min(0).max(255))
      .min(1)
      .describe('CPUID models (with the extended model) this PMU covers; absent: every model of the family')
      .optional(),
  })
  .describe(
    'the CPUs this PMU is, as libpfm tells apart PMUs that share a PMU type (AMD64: family, model); needed when two models claim one libpfm.type',
  );

export const SourceFileSchema = z
  .strictObject({
    what: z.string().min(1).describe('what this source backs, e.g. "register map and widths"'),
    ref: z.string().min(1).describe('where it comes from: file, patch, manual section'),
    verified: z.boolean().describe('false marks the item UNVERIFIED'),
    note: z.string().optional(),
  })
  .describe('where a part of the model came from');

export const PmuModelFileSchema = z
  .strictObject({
    $schema: z.string().describe('relative path to pmu-model.schema.json').optional(),
    id: z
      .string()
      .regex(ID_PATTERN, { error: 'expected a lower-case kebab id such as "intel-p6"' })
      .describe('short id, lower-case kebab, unique, e.g. intel-p6'),
    name: z.string().min(1).describe('perfmon2 pmu_name, e.g. "Intel P6 processor Family"'),
    description: z.string(),
    vendor: z
      .string()
      .regex(VENDOR_PATTERN, { error: 'expected a lower-case vendor directory name such as "intel"' })
      .describe('vendor directory under models/: intel, amd, ia64, ibm, mips, ...'),
    archs: z.array(z.enum(ARCH_IDS)).min(1).describe('kernel-sim arch ids this PMU runs on'),
    module: z.string().min(1).describe('perfmon2 PMU description module it mirrors, e.g. perfmon_p6'),
    libpfm: z
      .strictObject({
        name: z.string().min(1).describe('pfm_get_pmu_name()'),
        type: z.number().int().describe('PFMLIB_*_PMU type code'),
      })
      .describe('how libpfm3 names this PMU'),
    cpu: CpuFileSchema.optional(),
    counterWidth: z
      .number()
      .int()
      .min(1)
      .max(64)
      .describe('perfmon2 counter_width; ovfl_mask = 2^counterWidth - 1'),
    hwCounterWidth: z.number().int().min(1).max(64).describe('counter width libpfm reports'),
    encoding: z
      .strictObject({
        scheme: z
          .string()
          .regex(ID_PATTERN, { error: 'expected a scheme name such as "x86-evtsel"' })
          .describe('a registered encoding scheme (pmu-models src/schemes/): how events become PMC values'),
        eventBits: z.number().int().min(1).max(64).describe('width of the event-code field'),
        umaskBits: z.number().int().min(0).max(64).describe('width of the unit-mask field (0 if none)'),
        options: z
          .record(z.string(), z.union([z.number(), z.string(), z.boolean()]))
          .describe(
            "model facts the scheme defines, e.g. x86-evtsel's enablePmc (P6), northbridgeFrom (K8) and extendedEventSelect (Family 10h)",
          )
          .optional(),
      })
      .describe('how events become PMC values'),
    pmcs: z.array(PmcFileSchema).min(1),
    pmds: z.array(PmdFileSchema).min(1),
    events: z.array(EventFileSchema),
    cycleEvent: z.string().describe('pfm_get_cycle_event: EVENT or EVENT:UMASK').optional(),
    instRetiredEvent: z.string().describe('pfm_get_inst_retired_event: EVENT or EVENT:UMASK').optional(),
    sources: z.array(SourceFileSchema).min(1),
  })
  .meta({
    title: 'pfmsim PMU model',
    description:
      'One perfmon2 PMU: register map, counter widths and event table. See packages/pmu-models/README.md.',
  });

/** A model file as written (hex strings, optional keys absent). */
export type PmuModelFile = z.infer<typeof PmuModelFileSchema>;
export type PmcFile = z.infer<typeof PmcFileSchema>;
export type PmdFile = z.infer<typeof PmdFileSchema>;
export type EventFile = z.infer<typeof EventFileSchema>;
export type UnitMaskFile = z.infer<typeof UnitMaskFileSchema>;
export type SourceFile = z.infer<typeof SourceFileSchema>;
export type CpuFile = z.infer<typeof CpuFileSchema>;

/** Parse a validated hex string (see {@link HEX64_PATTERN}). */
export function parseHex(value: string): bigint {
  return BigInt(value);
}

/** Canonical hex form used when writing files: lower case, no leading zeros. */
export function formatHex(value: bigint): string {
  return `0x${value.toString(16)}`;
}
