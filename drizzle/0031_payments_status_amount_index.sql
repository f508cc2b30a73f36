-- bench:console at 100k on an idle machine: payments.failed (status=failed&sort=amount) 502 ms p95 — the status index
-- fetched all 3,968 failed payments scattered over 2M rows and sorted them for a page of 50 (the (amount, id) index
-- of 0029 was not chosen). (status, amount, id) serves the status filters as the status index did, and a page of
-- one status in amount order is a walk of it.
DROP INDEX "payments_status_idx";--> statement-breakpoint
CREATE INDEX "payments_status_amount_idx" ON "payments" USING btree ("status","amount_minor","id");