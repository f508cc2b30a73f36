-- bench:console at 100k (idle): dunning.list (open cases sorted by amount) 130 ms p95 — all 3,968 open cases were
-- joined to users, customers and subscriptions (hash joins over 100-150k rows) before the sort chose 50. With
-- (status, amount, id) the page is an index walk joining 50 cases: 10 ms (EXPLAIN ANALYZE, same dataset).
CREATE INDEX "dunning_cases_status_amount_idx" ON "dunning_cases" USING btree ("status","amount_due_minor","id");