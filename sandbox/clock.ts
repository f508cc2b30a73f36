/**
 * The sandbox-wide clock. Frozen (tests: `startTime` given) it moves only when told; otherwise it follows the
 * wall clock plus whatever offset `advance` added. Objects of customers attached to a test clock use that
 * test clock's `frozen_time` instead (see Sandbox.now).
 */
export class SandboxClock {
  private frozen: number | null;
  private offset = 0;

  constructor(startTime?: number) {
    this.frozen = startTime ?? null;
  }

  get isFrozen(): boolean {
    return this.frozen !== null;
  }

  now(): number {
    // The one wall-clock read of the sandbox (real mode only).
    return this.frozen ?? Math.floor(Date.now() / 1000) + this.offset;
  }

  /** Move to `t` (never backwards). */
  set(t: number): void {
    const cur = this.now();
    if (t <= cur) return;
    if (this.frozen !== null) this.frozen = t;
    else this.offset += t - cur;
  }

  state(): { frozen: number | null; offset: number } {
    return { frozen: this.frozen, offset: this.offset };
  }

  restore(s: { frozen: number | null; offset: number }): void {
    if (this.frozen === null) this.offset = s.offset;
  }
}
