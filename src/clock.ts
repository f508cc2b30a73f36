/** The only module that reads the wall clock. Domain code receives a Clock; tests pass a FakeClock. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = {
  now: () => new Date(),
};

/** A clock tests move by hand (never by sleeping). */
export class FakeClock implements Clock {
  private current: number;
  constructor(start: Date | string | number = '2026-01-01T00:00:00Z') {
    this.current = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.current);
  }
  set(at: Date | string | number): void {
    this.current = new Date(at).getTime();
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

/** Stripe's unix seconds to a Date, at the boundary. */
export function fromUnix(seconds: number): Date;
export function fromUnix(seconds: number | null | undefined): Date | null;
export function fromUnix(seconds: number | null | undefined): Date | null {
  return seconds === null || seconds === undefined ? null : new Date(seconds * 1000);
}

export function toUnix(at: Date): number {
  return Math.floor(at.getTime() / 1000);
}
