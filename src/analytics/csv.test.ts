import { describe, expect, it } from 'vitest';
import { toCsv } from './csv.js';

describe('toCsv', () => {
  it('writes a header from the first row and CRLF lines', () => {
    expect(
      toCsv([
        { currency: 'usd', month: '2026-03', mrr: 2900, rate: 0.25 },
        { currency: 'eur', month: '2026-03', mrr: 0, rate: null },
      ]),
    ).toBe('currency,month,mrr,rate\r\nusd,2026-03,2900,0.25\r\neur,2026-03,0,\r\n');
  });
  it('quotes fields with commas, quotes or line breaks', () => {
    expect(toCsv([{ a: 'x,y', b: 'say "hi"', c: 'two\nlines', d: true }])).toBe(
      'a,b,c,d\r\n"x,y","say ""hi""","two\nlines",true\r\n',
    );
  });
  it('an empty report is its header alone', () => {
    expect(toCsv([], ['currency', 'mrr'])).toBe('currency,mrr\r\n');
    expect(toCsv([])).toBe('\r\n');
  });
});
