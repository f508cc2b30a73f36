/** Reading list filters from the URL: the page number, and a value from a fixed set (anything else is ignored). */
export function pageParam(query: URLSearchParams): number {
  const n = Number(query.get('page') ?? '1');
  return Number.isInteger(n) && n >= 1 ? n : 1;
}

export function oneOf<T extends string>(
  query: URLSearchParams,
  name: string,
  allowed: readonly T[],
): T | undefined {
  const v = query.get(name);
  return allowed.find((a) => a === v);
}
