/**
 * Issue 13 / docs/RELIABILITY.md 32: after each test file, before its database is dropped, every text, varchar, json and
 * jsonb column of every table is scanned for what must never be stored: Stripe secret and restricted keys
 * (`sk_`, `rk_`), webhook secrets (`whsec_`), bearer tokens, and every secret the tests recorded (passwords,
 * session tokens, API keys: test/helpers/log-capture.ts recordSecret) — and for card numbers: a run of 13-19
 * digits (spaces or dashes allowed between groups) with a card network's first digit (2-6) that passes the Luhn
 * check. A hit fails the file, naming table, column and the offending text.
 *
 * One column is exempt from the recorded-secrets check: `sessions.token`. better-auth looks a session up by its
 * token; the cookie carries the token AND its HMAC under the auth secret (`token.signature`), so the stored token
 * alone does not make a cookie that is accepted (no bearer plugin is installed). Password and API key hashes are
 * scanned like everything else (a hash never equals the recorded secret).
 */
import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { SECRETS_FILE, testLogDir } from './log-capture.js';

export interface StoredLeak {
  table: string;
  column: string;
  what: string;
  text: string;
}

const PATTERNS: Array<{ what: string; sql: string }> = [
  { what: 'Stripe secret or restricted key', sql: String.raw`(^|[^A-Za-z0-9])[sr]k_(test|live)_[A-Za-z0-9]` },
  { what: 'webhook secret', sql: String.raw`whsec_[A-Za-z0-9]` },
  { what: 'bearer token', sql: String.raw`Bearer\s+[A-Za-z0-9._~+/-]{8,}` },
];

/** Luhn's checksum over a string of digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** The card-like numbers in a text: 13-19 digits (groups joined by one space or dash), first digit 2-6, Luhn-valid,
 *  standing alone (not inside an id: a uuid's all-digit groups are joined by dashes too). */
export function cardNumbersIn(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?<![0-9A-Za-z-])[2-6][0-9](?:[ -]?[0-9]){11,17}(?![0-9A-Za-z-])/g)) {
    const digits = m[0].replace(/[ -]/g, '');
    if (digits.length >= 13 && digits.length <= 19 && luhnValid(digits)) out.push(m[0]);
  }
  return out;
}

function recordedSecrets(): string[] {
  const file = path.join(testLogDir(), SECRETS_FILE);
  if (!fs.existsSync(file)) return [];
  return [
    ...new Set(
      fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter((s) => s.length >= 8),
    ),
  ];
}

export async function scanStoredSecrets(pool: pg.Pool): Promise<StoredLeak[]> {
  const { rows: columns } = await pool.query<{ table: string; column: string }>(`
    SELECT c.table_name AS table, c.column_name AS column
    FROM information_schema.columns c JOIN information_schema.tables t
      ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
    WHERE c.table_schema = 'public' AND c.data_type IN ('text', 'character varying', 'json', 'jsonb')
    ORDER BY 1, 2`);
  const secrets = recordedSecrets();
  const leaks: StoredLeak[] = [];
  // One JavaScript regular expression over every value (the patterns, a card-like digit run, every recorded secret
  // as a literal), read through a cursor: a few seconds for the 330 MB of payloads a 5,000-run
  // property test leaves (one PostgreSQL regex with hundreds of alternatives took minutes).
  const escape = (lit: string) => lit.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const base = [
    ...PATTERNS.map((p) => p.sql),
    '(?<![0-9A-Za-z-])[2-6][0-9](?:[ -]?[0-9]){11,17}(?![0-9A-Za-z-])',
  ];
  const withSecrets = new RegExp([...base, ...secrets.map(escape)].map((r) => `(?:${r})`).join('|'));
  const withoutSecrets = new RegExp(base.map((r) => `(?:${r})`).join('|'));
  for (const { table, column } of columns) {
    const exempt = table === 'sessions' && column === 'token';
    const re = exempt ? withoutSecrets : withSecrets;
    const rows: Array<{ v: string }> = [];
    const client = await pool.connect();
    try {
      await client.query('BEGIN READ ONLY');
      await client.query(`DECLARE scan NO SCROLL CURSOR FOR SELECT "${column}"::text AS v FROM "${table}"`);
      for (;;) {
        const page = await client.query<{ v: string | null }>('FETCH 2000 FROM scan');
        for (const r of page.rows)
          if (r.v !== null && re.test(r.v) && rows.length < 50) rows.push({ v: r.v });
        if (page.rows.length < 2000) break;
      }
    } finally {
      await client.query('ROLLBACK').catch(() => {});
      client.release();
    }
    for (const { v } of rows) {
      for (const p of PATTERNS) {
        if (new RegExp(p.sql).test(v)) leaks.push({ table, column, what: p.what, text: v.slice(0, 200) });
      }
      for (const n of cardNumbersIn(v)) leaks.push({ table, column, what: 'card number', text: n });
      for (const s of exempt ? [] : secrets) {
        if (v.includes(s)) leaks.push({ table, column, what: 'recorded test secret', text: v.slice(0, 200) });
      }
    }
  }
  return leaks;
}
