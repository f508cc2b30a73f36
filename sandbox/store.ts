/**
 * In-memory object store: one insertion-ordered map per Stripe object type, a global id index, and a side
 * table of internal state the API never shows (retry counters, flags). Serializable to one JSON file.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

// Stripe objects are open-ended JSON; the sandbox builds them field by field (see shapes.ts).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Obj = Record<string, any>;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function randomChars(n: number): string {
  const bytes = randomBytes(n);
  let out = '';
  for (let i = 0; i < n; i++) out += ALPHABET[(bytes[i] as number) % ALPHABET.length];
  return out;
}

export function newId(prefix: string, len = 24): string {
  return `${prefix}_${randomChars(len)}`;
}

export interface IdempotencyRecord {
  method: string;
  path: string;
  requestId: string;
  paramsKey: string;
  status: number;
  body: string;
  createdAt: number;
}

export class Store {
  private readonly types = new Map<string, Map<string, Obj>>();
  private readonly index = new Map<string, string>();
  readonly meta = new Map<string, Obj>();
  readonly idempotency = new Map<string, IdempotencyRecord>();
  /** Monotonic counter (invoice numbers, etc.) */
  counters: Record<string, number> = {};

  collection(type: string): Map<string, Obj> {
    let c = this.types.get(type);
    if (!c) {
      c = new Map();
      this.types.set(type, c);
    }
    return c;
  }

  insert(obj: Obj): Obj {
    const type = obj.object as string;
    this.collection(type).set(obj.id as string, obj);
    this.index.set(obj.id as string, type);
    return obj;
  }

  get(id: string, type?: string): Obj | undefined {
    const t = type ?? this.index.get(id);
    if (!t) return undefined;
    return this.types.get(t)?.get(id);
  }

  typeOf(id: string): string | undefined {
    return this.index.get(id);
  }

  remove(id: string): void {
    const t = this.index.get(id);
    if (!t) return;
    this.types.get(t)?.delete(id);
    this.index.delete(id);
    this.meta.delete(id);
  }

  /** Newest first (Stripe's list order); ties keep reverse insertion order. */
  list(type: string): Obj[] {
    return [...this.collection(type).values()].reverse();
  }

  all(type: string): Obj[] {
    return [...this.collection(type).values()];
  }

  m(id: string): Obj {
    let v = this.meta.get(id);
    if (!v) {
      v = {};
      this.meta.set(id, v);
    }
    return v;
  }

  next(counter: string): number {
    this.counters[counter] = (this.counters[counter] ?? 0) + 1;
    return this.counters[counter] as number;
  }

  toJSON(): Obj {
    const types: Obj = {};
    for (const [t, c] of this.types) types[t] = [...c.values()];
    return {
      types,
      meta: Object.fromEntries(this.meta),
      idempotency: Object.fromEntries(this.idempotency),
      counters: this.counters,
    };
  }

  load(data: Obj): void {
    for (const [, objs] of Object.entries(data.types ?? {})) for (const o of objs as Obj[]) this.insert(o);
    for (const [k, v] of Object.entries(data.meta ?? {})) this.meta.set(k, v as Obj);
    for (const [k, v] of Object.entries(data.idempotency ?? {}))
      this.idempotency.set(k, v as IdempotencyRecord);
    this.counters = (data.counters as Record<string, number>) ?? {};
  }

  saveTo(path: string, extra: Obj): void {
    const tmp = `${path}.tmp`;
    writeFileSync(tmp, JSON.stringify({ ...this.toJSON(), ...extra }));
    renameSync(tmp, path);
  }

  static readFile(path: string): Obj | undefined {
    if (!existsSync(path)) return undefined;
    return JSON.parse(readFileSync(path, 'utf8')) as Obj;
  }
}
