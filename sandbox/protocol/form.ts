/**
 * Stripe's request encoding: `application/x-www-form-urlencoded` with nested keys (`a[b][0][c]=v`,
 * `expand[]=x`). Objects whose keys are all indices become arrays, as Stripe's own parser does.
 * Values stay strings; resources coerce them through protocol/params.ts so errors can name the param.
 */
export type FormValue = string | FormValue[] | { [key: string]: FormValue };
export type Form = { [key: string]: FormValue };

function splitKey(key: string): string[] {
  const first = key.indexOf('[');
  if (first <= 0) return [key];
  const parts = [key.slice(0, first)];
  const re = /\[([^\]]*)\]/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(key.slice(first))) !== null) parts.push(m[1] ?? '');
  return parts;
}

function toArrays(v: FormValue): FormValue {
  if (typeof v === 'string' || Array.isArray(v)) return Array.isArray(v) ? v.map(toArrays) : v;
  const keys = Object.keys(v);
  if (keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) {
    return keys
      .map(Number)
      .sort((a, b) => a - b)
      .map((k) => toArrays((v as Record<string, FormValue>)[String(k)] as FormValue));
  }
  const out: Form = {};
  for (const k of keys) out[k] = toArrays((v as Record<string, FormValue>)[k] as FormValue);
  return out;
}

export function parseForm(encoded: string): Form {
  const root: Record<string, FormValue> = {};
  if (!encoded) return root;
  for (const [rawKey, value] of new URLSearchParams(encoded)) {
    const parts = splitKey(rawKey);
    let node: Record<string, FormValue> = root;
    for (let i = 0; i < parts.length; i++) {
      // `a[]=x` appends: the empty segment becomes the next index
      const part = parts[i] === '' ? String(Object.keys(node).length) : (parts[i] as string);
      if (i === parts.length - 1) {
        node[part] = value;
      } else {
        const existing = node[part];
        if (existing === undefined || typeof existing === 'string') node[part] = {};
        node = node[part] as Record<string, FormValue>;
      }
    }
  }
  return toArrays(root) as Form;
}
