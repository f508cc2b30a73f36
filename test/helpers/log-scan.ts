/**
 * Scans captured test logs for secrets: Stripe keys (`sk_`, `rk_`), webhook secrets (`whsec_`), Authorization
 * headers and bearer tokens, session cookies, and every secret recorded by tests (passwords, session tokens,
 * API keys). Used by the global teardown; tested directly in test/unit/log-scan.test.ts.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface Leak {
  file: string;
  line: number;
  what: string;
  text: string;
}

export const SECRET_PATTERNS: { what: string; re: RegExp }[] = [
  { what: 'Stripe secret key', re: /\b[sr]k_(test|live)_[A-Za-z0-9]/ },
  { what: 'sk_ key', re: /(^|[^A-Za-z0-9])sk_[A-Za-z0-9]/ },
  { what: 'webhook secret', re: /whsec_[A-Za-z0-9]/ },
  { what: 'Authorization header', re: /["']?authorization["']?\s*[:=]\s*["']?(Bearer|Basic)\s/i },
  { what: 'Authorization header', re: /"authorization"\s*:\s*"(?!\[redacted\])/i },
  { what: 'bearer token', re: /\bBearer\s+[A-Za-z0-9._~+/-]{8,}/ },
  { what: 'session cookie', re: /session_token=[A-Za-z0-9]/ },
];

export function scanText(text: string, secrets: string[], file = '(text)'): Leak[] {
  const leaks: Leak[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (line === '') return;
    for (const p of SECRET_PATTERNS) {
      if (p.re.test(line)) leaks.push({ file, line: i + 1, what: p.what, text: line });
    }
    for (const s of secrets) {
      if (s && line.includes(s)) leaks.push({ file, line: i + 1, what: 'recorded test secret', text: line });
    }
  });
  return leaks;
}

/** Scans every `*.log` file in `dir` against the patterns and the secrets listed in `dir/secrets.list`. */
export function scanLogDir(dir: string, secretsFile = 'secrets.list'): Leak[] {
  if (!fs.existsSync(dir)) return [];
  const secretsPath = path.join(dir, secretsFile);
  const secrets = fs.existsSync(secretsPath)
    ? [
        ...new Set(
          fs
            .readFileSync(secretsPath, 'utf8')
            .split('\n')
            .filter((s) => s.length >= 8),
        ),
      ]
    : [];
  const leaks: Leak[] = [];
  for (const name of fs.readdirSync(dir).sort()) {
    if (!name.endsWith('.log')) continue;
    const file = path.join(dir, name);
    leaks.push(...scanText(fs.readFileSync(file, 'utf8'), secrets, file));
  }
  return leaks;
}
