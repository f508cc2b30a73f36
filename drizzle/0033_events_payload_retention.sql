-- Issue 18 (growth): a retention setting for the inbox. EVENT_PAYLOAD_RETENTION_DAYS (default 90, 0 = keep every
-- payload) lets the job inbox.prune-event-payloads (src/inbox/retention/prune-event-payloads.ts) set `payload` to
-- NULL on done events (processed / stale / ignored / skipped) received more than N days ago, stamping
-- `payload_pruned_at`; the row (id, type, status, times, ordering key, object id) stays, so a redelivery of the
-- same id is still absorbed by the primary key. `customer.subscription.*` events keep their payloads: they are the
-- history subscription_states (0017, 0030) and time travel (entitlement-inputs.ts) are rebuilt from.
-- The check makes the rule a guarantee: a pruned row can never be queued again (the dispatcher needs the payload).
-- The partial index holds only the rows still to prune, oldest first (about N days of applied events), so each run
-- reads just what it prunes. Both column changes are catalogue-only; the check scans the table once.
ALTER TABLE "stripe_events" ALTER COLUMN "payload" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "stripe_events" ADD COLUMN "payload_pruned_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "stripe_events_prunable_idx" ON "stripe_events" USING btree ("received_at") WHERE "stripe_events"."payload_pruned_at" is null and "stripe_events"."status" in ('processed', 'stale', 'ignored', 'skipped') and "stripe_events"."type" not like 'customer.subscription.%';--> statement-breakpoint
ALTER TABLE "stripe_events" ADD CONSTRAINT "stripe_events_payload_check" CHECK (("stripe_events"."payload" is null) = ("stripe_events"."payload_pruned_at" is not null) and ("stripe_events"."payload" is not null or ("stripe_events"."status" in ('processed', 'stale', 'ignored', 'skipped') and "stripe_events"."type" not like 'customer.subscription.%')));