/**
 * The peer for bench/webhooks.ts (docs/DESIGN.md §9): `@supabase/stripe-sync-engine`'s own webhook entry point
 * (`processWebhook`: verify the signature, upsert the object into its `stripe` schema, answer) behind a bare
 * node:http server — the least a server can add around it. It applies each event before it answers, so its ack is
 * also its end-to-end. No Stripe calls: related entities are not backfilled and nothing is revalidated, as the
 * engine does by default. Prints `{"port": n}` once listening.
 */
import http from 'node:http';
import { StripeSync } from '@supabase/stripe-sync-engine';

const sync = new StripeSync({
  poolConfig: { connectionString: process.env.DATABASE_URL!, max: 20 },
  schema: 'stripe',
  stripeSecretKey: 'sk_test_bench_placeholder',
  stripeWebhookSecret: process.env.STRIPE_WEBHOOK_SECRET!,
  backfillRelatedEntities: false,
});

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    sync.processWebhook(Buffer.concat(chunks), req.headers['stripe-signature'] as string | undefined).then(
      () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"received":true}');
      },
      (e: unknown) => {
        res.writeHead(400, { 'content-type': 'text/plain' });
        res.end(e instanceof Error ? e.message : String(e));
      },
    );
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(JSON.stringify({ port: typeof address === 'object' ? address?.port : 0 }) + '\n');
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
