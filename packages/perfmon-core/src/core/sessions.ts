import type { PfmContext } from './context.js';

/**
 * Monitoring sessions and PMU resource owners (the job of perfmon_res.c): per-thread and
 * system-wide sessions exclude each other, each CPU has at most one system-wide session, and
 * the AMD64 Northbridge events belong to one context at a time. Callers check, then acquire,
 * so the errno order of perfmon2-abi.md §3.2 stays with the system call.
 */
export class Sessions {
  private task = 0;
  private readonly system: Uint8Array;
  private northbridge: PfmContext | null = null;

  constructor(cpus: number) {
    this.system = new Uint8Array(cpus);
  }

  /** Loaded per-thread contexts. */
  get taskCount(): number {
    return this.task;
  }

  /** Loaded system-wide contexts (one per CPU at most). */
  get systemCount(): number {
    return this.system.reduce((a, b) => a + b, 0);
  }

  /** A system-wide session holds this CPU. */
  systemOn(cpu: number): boolean {
    return this.system[cpu] === 1;
  }

  /** A system-wide session may start on this CPU: no per-thread session, none on the CPU. */
  systemFree(cpu: number): boolean {
    return this.task === 0 && this.system[cpu] !== 1;
  }

  /** A per-thread session may start: no system-wide session anywhere. */
  taskFree(): boolean {
    return this.system.every((x) => x === 0);
  }

  acquireSystem(cpu: number): void {
    this.system[cpu] = 1;
  }

  releaseSystem(cpu: number): void {
    this.system[cpu] = 0;
  }

  acquireTask(): void {
    this.task++;
  }

  releaseTask(): void {
    this.task--;
  }

  /** Claims the Northbridge events for ctx: false when another context owns them. */
  claimNorthbridge(ctx: PfmContext): boolean {
    if (this.northbridge !== null && this.northbridge !== ctx) return false;
    this.northbridge = ctx;
    return true;
  }

  /** ctx is freed: the Northbridge events are free again if it owned them. */
  releaseNorthbridge(ctx: PfmContext): void {
    if (this.northbridge === ctx) this.northbridge = null;
  }
}
