-- Sort orders of the admin lists that had no index (npm run bench:console at 100k customers, EXPLAIN ANALYZE): the
-- subscriptions by MRR (status + currency filtered: ~88k rows sorted, spilling to disk, for a page of 50), the users
-- list by sign-up time, the customers by email (page 100: 5,000 rows into the order). Each is (key, id), the
-- list-query's order with its tie-break, so a page is an index walk. mrr_minor changes already make a subscription's
-- update non-HOT (status and period end are indexed), so the webhook path writes one more index entry there.
CREATE INDEX subscriptions_mrr_idx ON subscriptions (mrr_minor, id);
--> statement-breakpoint
CREATE INDEX users_created_idx ON users (created_at, id);
--> statement-breakpoint
CREATE INDEX customers_email_idx ON customers (email, id);
