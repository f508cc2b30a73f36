/** Coercion of form values into typed params; every failure names the param as Stripe does. */
import type { Form, FormValue } from './form.js';
import { invalidRequest, missingParam } from './errors.js';

export type P = Form;

export function str(p: P, name: string): string | undefined {
  const v = p[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw invalidRequest(`Invalid string: ${name}`, name);
  return v;
}

export function reqStr(p: P, name: string): string {
  const v = str(p, name);
  if (v === undefined || v === '') throw missingParam(name);
  return v;
}

/** A string param where '' means "unset" (null). */
export function nullableStr(p: P, name: string): string | null | undefined {
  const v = str(p, name);
  return v === '' ? null : v;
}

export function int(p: P, name: string): number | undefined {
  const v = str(p, name);
  if (v === undefined || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw invalidRequest(`Invalid integer: ${v}`, name);
  return Number(v);
}

export function num(p: P, name: string): number | undefined {
  const v = str(p, name);
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw invalidRequest(`Invalid decimal: ${v}`, name);
  return n;
}

export function bool(p: P, name: string): boolean | undefined {
  const v = str(p, name);
  if (v === undefined || v === '') return undefined;
  if (v !== 'true' && v !== 'false') throw invalidRequest(`Invalid boolean: ${v}`, name);
  return v === 'true';
}

export function obj(p: P, name: string): P | undefined {
  const v = p[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v === 'string' || Array.isArray(v)) throw invalidRequest(`Invalid object`, name);
  return v;
}

export function arr(p: P, name: string): FormValue[] | undefined {
  const v = p[name];
  if (v === undefined || v === '') return undefined;
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return [v];
  throw invalidRequest(`Invalid array`, name);
}

export function strArr(p: P, name: string): string[] | undefined {
  const a = arr(p, name);
  if (a === undefined) return undefined;
  return a.map((x) => {
    if (typeof x !== 'string') throw invalidRequest(`Invalid array`, name);
    return x;
  });
}

export function oneOf<T extends string>(p: P, name: string, allowed: readonly T[]): T | undefined {
  const v = str(p, name);
  if (v === undefined || v === '') return undefined;
  if (!(allowed as readonly string[]).includes(v)) {
    throw invalidRequest(`Invalid ${name}: must be one of ${allowed.join(', ')}`, name);
  }
  return v as T;
}

/** Stripe's metadata semantics: merge; '' deletes a key; metadata='' clears all. */
export function mergeMetadata(
  current: Record<string, string>,
  p: P,
  name = 'metadata',
): Record<string, string> {
  const v = p[name];
  if (v === undefined) return current;
  if (v === '') return {};
  if (typeof v === 'string' || Array.isArray(v)) throw invalidRequest('Invalid metadata', name);
  const out = { ...current };
  for (const [k, val] of Object.entries(v)) {
    if (typeof val !== 'string') throw invalidRequest('Invalid metadata value', `${name}[${k}]`);
    if (val === '') delete out[k];
    else out[k] = val;
  }
  return out;
}

/** Only the listed params are accepted (besides `expand`), like Stripe's "Received unknown parameter". */
export function allowOnly(p: P, allowed: readonly string[]): void {
  for (const k of Object.keys(p)) {
    if (k === 'expand') continue;
    if (!allowed.includes(k))
      throw invalidRequest(`Received unknown parameter: ${k}`, k, 'parameter_unknown');
  }
}
