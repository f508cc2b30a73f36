/** Small helpers at the Stripe boundary: expandable references and unix seconds. */
import { fromUnix } from '../../clock.js';

/** The id of an expandable reference (`"cus_123"` or `{ id: "cus_123", … }`), or null. */
export function idOf(ref: unknown): string | null {
  if (typeof ref === 'string' && ref.length > 0) return ref;
  if (ref && typeof ref === 'object' && typeof (ref as { id?: unknown }).id === 'string')
    return (ref as { id: string }).id;
  return null;
}

/** The expanded object of a reference, or null when only the id was sent. */
export function expanded<T extends object>(ref: string | T | null | undefined): T | null {
  return ref && typeof ref === 'object' ? ref : null;
}

export const at = (unix: number | null | undefined): Date | null => fromUnix(unix ?? null);
export const atRequired = (unix: number): Date => fromUnix(unix);

/** Whether two row snapshots differ in any of the given keys (timestamps compared by value). */
export function differs<T extends object>(a: T | null, b: T | null, keys: readonly (keyof T)[]): boolean {
  if (!a || !b) return a !== b;
  return keys.some((k) => !sameValue(a[k], b[k]));
}

function sameValue(x: unknown, y: unknown): boolean {
  if (x instanceof Date && y instanceof Date) return x.getTime() === y.getTime();
  if (x && y && typeof x === 'object' && typeof y === 'object')
    return JSON.stringify(x) === JSON.stringify(y);
  return x === y;
}
