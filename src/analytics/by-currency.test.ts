import { describe, expect, it } from 'vitest';
import { byCurrency } from './by-currency.js';

describe('byCurrency', () => {
  it('one series per currency, rows kept in order, never merged', () => {
    expect(
      byCurrency([
        { currency: 'eur', month: '2026-01', mrr: 3600 },
        { currency: 'eur', month: '2026-02', mrr: 8100 },
        { currency: 'usd', month: '2026-01', mrr: 6000 },
      ]),
    ).toEqual([
      {
        currency: 'eur',
        rows: [
          { currency: 'eur', month: '2026-01', mrr: 3600 },
          { currency: 'eur', month: '2026-02', mrr: 8100 },
        ],
      },
      { currency: 'usd', rows: [{ currency: 'usd', month: '2026-01', mrr: 6000 }] },
    ]);
    expect(byCurrency([])).toEqual([]);
  });
});
