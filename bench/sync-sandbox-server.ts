/**
 * The Stripe sandbox for `npm run bench:sync`, in its own process (as Stripe is remote: its CPU is not the app's).
 * Clock frozen at SANDBOX_START (unix seconds), API key SANDBOX_SECRET_KEY, no rate limit until the benchmark sets
 * one through the control API. Prints `{"port":n}` once it listens; stops on SIGTERM.
 */
import { startSandbox } from '../sandbox/index.js';

const sandbox = await startSandbox({
  startTime: Number(process.env.SANDBOX_START),
  secretKey: process.env.SANDBOX_SECRET_KEY,
  settings: { rateLimitPerSecond: null },
});
process.stdout.write(JSON.stringify({ port: sandbox.port }) + '\n');
process.once('SIGTERM', () => {
  void sandbox.stop().then(() => process.exit(0));
});
