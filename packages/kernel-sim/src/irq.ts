import { CAT } from './clock.js';
import type { Kernel } from './kernel.js';
import type { Thread } from './sched/thread.js';

/** An interrupt handler runs in hardirq context on the interrupted thread's CPU. */
export type IrqHandler = (t: Thread, cpu: number) => void;

/**
 * Interrupt delivery: a raised interrupt stays pending on its CPU until the thread running
 * there has irqs enabled (checked when irqs are re-enabled, at scheduling points and on
 * explicit polls). The timer ticks every `tickCycles` of a CPU's clock.
 */
export class Interrupts {
  private readonly pending: IrqHandler[][];
  private readonly timerHandlers: IrqHandler[] = [];
  readonly nextTick: Float64Array;
  delivered = 0;

  constructor(
    private readonly k: Kernel,
    readonly tickCycles: number,
  ) {
    this.pending = k.cpus.map(() => []);
    this.nextTick = new Float64Array(k.cpus.length).fill(tickCycles);
  }

  raise(cpu: number, handler: IrqHandler): void {
    this.pending[cpu]!.push(handler);
  }

  onTimer(handler: IrqHandler): void {
    this.timerHandlers.push(handler);
  }

  hasPending(cpu: number): boolean {
    return this.pending[cpu]!.length > 0 || this.k.cpus[cpu]!.clock.total >= this.nextTick[cpu]!;
  }

  /** Delivers what is pending on t's CPU if t has irqs enabled. */
  poll(t: Thread): void {
    if (t.irqsOff || t.inIrq) return;
    const cpu = t.cpu;
    const queue = this.pending[cpu]!;
    const clock = this.k.cpus[cpu]!.clock;
    while (queue.length > 0 || clock.total >= this.nextTick[cpu]!) {
      const handler = queue.shift();
      if (handler) this.run(t, cpu, handler);
      else {
        this.nextTick[cpu]! += this.tickCycles;
        for (const h of this.timerHandlers) this.run(t, cpu, h);
      }
    }
  }

  private run(t: Thread, cpu: number, handler: IrqHandler): void {
    this.delivered++;
    t.inIrq = true;
    t.irqsOff = true;
    const before = t.stackDepth;
    this.k.charge(t, CAT.irq, 0);
    try {
      handler(t, cpu);
    } finally {
      t.stackDepth = before;
      t.inIrq = false;
      t.irqsOff = false;
    }
  }
}
