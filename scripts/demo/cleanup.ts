// What the demo started, stopped in reverse order: services before the operator, the operator
// before the cluster. A step registered after stopping began runs at once, so a start that
// was in flight when Ctrl-C came is undone too.
export class Cleanup {
  private readonly steps: { what: string; fn: () => Promise<void> }[] = [];
  private running: Promise<void> | undefined;

  constructor(private readonly log: (line: string) => void) {}

  get started(): boolean {
    return this.running !== undefined;
  }

  /** `what` is said when the step runs: "stopping the operator". */
  push(what: string, fn: () => Promise<void>): void {
    if (this.running) {
      void this.stopOne({ what, fn });
      return;
    }
    this.steps.push({ what, fn });
  }

  /** Runs every step once (later calls share the first run); never throws. */
  run(): Promise<void> {
    this.running ??= (async () => {
      for (const step of this.steps.reverse()) await this.stopOne(step);
    })();
    return this.running;
  }

  private async stopOne(step: { what: string; fn: () => Promise<void> }): Promise<void> {
    this.log(`[demo] ${step.what}`);
    try {
      await step.fn();
    } catch (err) {
      this.log(`[demo] failed: ${step.what}: ${(err as Error).message}`);
    }
  }
}
