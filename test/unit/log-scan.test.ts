import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scanLogDir, scanText } from '../helpers/log-scan.js';

describe('log scan (the end-of-run secret check)', () => {
  it('flags each kind of secret and names the line', () => {
    const text = [
      '{"msg":"ok","url":"/healthz"}',
      '{"msg":"stripe","key":"sk_test_51Habc"}',
      '{"msg":"x","secret":"whsec_abc123"}',
      '{"req":{"headers":{"authorization":"Bearer abcdefghijkl"}}}',
      '{"cookie":"sertantai.session_token=AbCdEf.sig"}',
      '{"msg":"login","body":{"password":"hunter2-hunter2"}}',
      '{"msg":"task_id sk and risk_score are fine","headers":{"authorization":"[redacted]"}}',
    ].join('\n');
    const leaks = scanText(text, ['hunter2-hunter2']);
    expect(leaks.map((l) => [l.line, l.what])).toEqual([
      [2, 'Stripe secret key'],
      [2, 'sk_ key'],
      [3, 'webhook secret'],
      [4, 'Authorization header'],
      [4, 'Authorization header'],
      [4, 'bearer token'],
      [5, 'session cookie'],
      [6, 'recorded test secret'],
    ]);
  });

  it('scans every .log file of a directory with the recorded secrets list', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'logscan-'));
    try {
      fs.writeFileSync(path.join(dir, 'secrets.list'), 'pw-from-a-test-123\n');
      fs.writeFileSync(path.join(dir, 'a.log'), '{"msg":"fine"}\n');
      fs.writeFileSync(path.join(dir, 'b.log'), '{"msg":"fine"}\n{"msg":"oops pw-from-a-test-123"}\n');
      fs.writeFileSync(path.join(dir, 'notes.txt'), 'sk_test_ignored_not_a_log\n');
      expect(scanLogDir(dir).map((l) => [path.basename(l.file), l.line, l.what])).toEqual([
        ['b.log', 2, 'recorded test secret'],
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
