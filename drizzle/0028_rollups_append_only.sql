ALTER TABLE "payment_attempt_months" DROP CONSTRAINT "payment_attempt_months_uq";--> statement-breakpoint
ALTER TABLE "revenue_months" DROP CONSTRAINT "revenue_months_uq";--> statement-breakpoint
ALTER TABLE "payment_attempt_months" DROP COLUMN "slot";--> statement-breakpoint
ALTER TABLE "revenue_months" DROP COLUMN "slot";--> statement-breakpoint
-- The report rollups cost PostgreSQL ~3 ms per invoice.paid (bench/RESULTS.md, 2026-12-07): revenue_months and
-- payment_attempt_months were counters updated in place, so every event's statement rewrote one hot row per month
-- (a dead version each, and concurrent transactions queued on it), and customer_first_payments recomputed the
-- customer's first payment by searching its invoices on every paid invoice. Now:
-- - revenue_months and payment_attempt_months are append-only deltas on the write path (an INSERT per statement and
--   key, no conflict, no wait); rollups_compact() folds each key's rows into one (the analytics.compact-rollups job,
--   every minute). A reader sums a key's rows, as it summed the slots before.
-- - customer_first_payments only moves down when an invoice is paid (an upsert keeping the earlier time); the
--   customer's invoices are searched only when a paid invoice at or before its first payment stops counting.
CREATE OR REPLACE FUNCTION revenue_months_add(cur text[], sub uuid[], paid timestamptz[], amount bigint[], sign int[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF cur IS NULL THEN
    RETURN;
  END IF;
  PERFORM 1 FROM subscriptions s WHERE s.id IN (SELECT unnest(sub)) ORDER BY s.id FOR SHARE;
  INSERT INTO revenue_months (currency, plan_id, month, invoices_paid, collected_minor)
  SELECT x.cur, s.plan_id, date_trunc('month', x.paid, 'UTC'), sum(x.sign), sum(x.sign * x.amount)
  FROM unnest(cur, sub, paid, amount, sign) AS x(cur, sub, paid, amount, sign)
  LEFT JOIN subscriptions s ON s.id = x.sub
  GROUP BY 1, 2, 3
  HAVING sum(x.sign) <> 0 OR sum(x.sign * x.amount) <> 0;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION subscriptions_plan_revenue_months() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO revenue_months (currency, plan_id, month, invoices_paid, collected_minor)
  SELECT i.currency, x.plan_id, date_trunc('month', i.paid_at, 'UTC'), sum(x.sign), sum(x.sign * i.amount_paid_minor)
  FROM invoices i CROSS JOIN (VALUES (OLD.plan_id, -1), (NEW.plan_id, 1)) AS x(plan_id, sign)
  WHERE i.subscription_id = NEW.id AND i.status = 'paid' AND i.paid_at IS NOT NULL
  GROUP BY 1, 2, 3;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION payment_attempt_months_add(cur text[], at timestamptz[], invoice uuid[], decline text[],
                                                      brand text[], country text[], failed boolean[], sign int[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF cur IS NULL THEN
    RETURN;
  END IF;
  PERFORM 1 FROM subscriptions s
  WHERE s.id IN (SELECT i.subscription_id FROM invoices i WHERE i.id IN (SELECT unnest(invoice)))
  ORDER BY s.id FOR SHARE OF s;
  INSERT INTO payment_attempt_months (currency, month, plan_id, decline_code, card_brand, card_country, attempts,
                                      failures)
  SELECT x.cur, date_trunc('month', x.at, 'UTC'), s.plan_id, x.decline, x.brand, x.country,
         sum(x.sign), sum(x.sign * x.failed::int)
  FROM unnest(cur, at, invoice, decline, brand, country, failed, sign)
       AS x(cur, at, invoice, decline, brand, country, failed, sign)
  LEFT JOIN invoices i ON i.id = x.invoice
  LEFT JOIN subscriptions s ON s.id = i.subscription_id
  GROUP BY 1, 2, 3, 4, 5, 6
  HAVING sum(x.sign) <> 0 OR sum(x.sign * x.failed::int) <> 0;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION payment_attempt_months_move(invoice_ids uuid[], from_plan uuid, to_plan uuid)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO payment_attempt_months (currency, month, plan_id, decline_code, card_brand, card_country, attempts,
                                      failures)
  SELECT p.currency, date_trunc('month', p.created_at, 'UTC'), x.plan_id, p.decline_code, p.card_brand,
         p.card_country, sum(x.sign), sum(x.sign * payment_failed(p.status, p.charge_status, p.failure_code)::int)
  FROM payments p CROSS JOIN (VALUES (from_plan, -1), (to_plan, 1)) AS x(plan_id, sign)
  WHERE p.invoice_id IN (SELECT unnest(invoice_ids))
    AND (p.status = 'succeeded' OR payment_failed(p.status, p.charge_status, p.failure_code))
  GROUP BY 1, 2, 3, 4, 5, 6;
END
$$;
--> statement-breakpoint
-- Folds each key's delta rows into one row (dropping keys that sum to nothing); returns the rows it removed. Safe
-- beside writers and another compaction: the DELETE takes the rows its snapshot sees and the INSERT puts back their
-- sums in the same statement, so a reader sees the rows before or after, and a row inserted meanwhile is left alone.
CREATE FUNCTION rollups_compact() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  folded bigint := 0;
  n bigint;
BEGIN
  IF EXISTS (SELECT 1 FROM revenue_months GROUP BY currency, plan_id, month HAVING count(*) > 1) THEN
    WITH gone AS (DELETE FROM revenue_months RETURNING *),
    kept AS (
      INSERT INTO revenue_months (currency, plan_id, month, invoices_paid, collected_minor)
      SELECT currency, plan_id, month, sum(invoices_paid), sum(collected_minor) FROM gone
      GROUP BY currency, plan_id, month
      HAVING sum(invoices_paid) <> 0 OR sum(collected_minor) <> 0
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM gone) - (SELECT count(*) FROM kept) INTO n;
    folded := folded + n;
  END IF;
  IF EXISTS (SELECT 1 FROM payment_attempt_months
             GROUP BY currency, month, plan_id, decline_code, card_brand, card_country HAVING count(*) > 1) THEN
    WITH gone AS (DELETE FROM payment_attempt_months RETURNING *),
    kept AS (
      INSERT INTO payment_attempt_months (currency, month, plan_id, decline_code, card_brand, card_country, attempts,
                                          failures)
      SELECT currency, month, plan_id, decline_code, card_brand, card_country, sum(attempts), sum(failures)
      FROM gone GROUP BY currency, month, plan_id, decline_code, card_brand, card_country
      HAVING sum(attempts) <> 0 OR sum(failures) <> 0
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM gone) - (SELECT count(*) FROM kept) INTO n;
    folded := folded + n;
  END IF;
  RETURN folded;
END
$$;
--> statement-breakpoint
CREATE FUNCTION customer_first_payments_lock(ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF cardinality(ids) > 1000 THEN
    LOCK TABLE customer_first_payments IN SHARE ROW EXCLUSIVE MODE;
  ELSE
    LOCK TABLE customer_first_payments IN ROW EXCLUSIVE MODE;
    PERFORM pg_advisory_xact_lock(16, hashtext(id::text)) FROM unnest(ids) AS id ORDER BY hashtext(id::text);
  END IF;
END
$$;
--> statement-breakpoint
-- `added`: paid invoices that now count (customer, paid_at); `lost`: ones that stopped counting. Under the customers'
-- locks: an added one can only make the first payment earlier; a lost one matters only if it was at or before it.
CREATE FUNCTION customer_first_payments_apply(added_customer uuid[], added_at timestamptz[], lost_customer uuid[],
                                              lost_at timestamptz[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  ids uuid[];
BEGIN
  SELECT array_agg(DISTINCT c) INTO ids
  FROM unnest(coalesce(added_customer, '{}') || coalesce(lost_customer, '{}')) AS c WHERE c IS NOT NULL;
  IF ids IS NULL THEN
    RETURN;
  END IF;
  PERFORM customer_first_payments_lock(ids);
  INSERT INTO customer_first_payments AS f (customer_id, first_paid_at)
  SELECT x.c, min(x.at) FROM unnest(added_customer, added_at) AS x(c, at) WHERE x.c IS NOT NULL GROUP BY x.c
  ON CONFLICT (customer_id) DO UPDATE SET first_paid_at = excluded.first_paid_at
    WHERE excluded.first_paid_at < f.first_paid_at;
  SELECT array_agg(DISTINCT x.c) INTO ids
  FROM unnest(lost_customer, lost_at) AS x(c, at)
  LEFT JOIN customer_first_payments f ON f.customer_id = x.c
  WHERE x.c IS NOT NULL AND (f.first_paid_at IS NULL OR f.first_paid_at >= x.at);
  IF ids IS NOT NULL THEN
    PERFORM customer_first_payments_refresh(ids);
  END IF;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION invoices_first_payments() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  added_customer uuid[];
  added_at timestamptz[];
  lost_customer uuid[];
  lost_at timestamptz[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(customer_id), array_agg(paid_at) INTO added_customer, added_at FROM new_invoices
    WHERE customer_id IS NOT NULL AND status = 'paid' AND amount_paid_minor > 0 AND paid_at IS NOT NULL;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(customer_id), array_agg(paid_at) INTO lost_customer, lost_at FROM old_invoices
    WHERE customer_id IS NOT NULL AND status = 'paid' AND amount_paid_minor > 0 AND paid_at IS NOT NULL;
  ELSE
    -- only the rows whose paid money, its time or its customer changed
    SELECT array_agg(n.customer_id) FILTER (WHERE q.now_counts), array_agg(n.paid_at) FILTER (WHERE q.now_counts),
           array_agg(o.customer_id) FILTER (WHERE q.counted), array_agg(o.paid_at) FILTER (WHERE q.counted)
    INTO added_customer, added_at, lost_customer, lost_at
    FROM new_invoices n JOIN old_invoices o ON o.id = n.id
    CROSS JOIN LATERAL (SELECT
      n.customer_id IS NOT NULL AND n.status = 'paid' AND n.amount_paid_minor > 0 AND n.paid_at IS NOT NULL,
      o.customer_id IS NOT NULL AND o.status = 'paid' AND o.amount_paid_minor > 0 AND o.paid_at IS NOT NULL
    ) AS q(now_counts, counted)
    WHERE (o.status, o.amount_paid_minor, o.paid_at, o.customer_id)
          IS DISTINCT FROM (n.status, n.amount_paid_minor, n.paid_at, n.customer_id);
  END IF;
  PERFORM customer_first_payments_apply(added_customer, added_at, lost_customer, lost_at);
  RETURN NULL;
END
$$;
--> statement-breakpoint
DROP FUNCTION customer_first_payments_lock_and_refresh(uuid[]);
--> statement-breakpoint
-- Plans of the trigger-path functions: generic, planned once per connection. Their statements take arrays; with the
-- default plan_cache_mode PostgreSQL judged each call's custom plan (an array of 1) cheaper than the generic one
-- (an array of unknown size) and so re-planned every statement on every call — ~0.8 ms of the 1 ms that
-- revenue_months_add cost per invoice.paid. Not the mrr_customer_days and subscription_states refreshes: their
-- window queries ran ~40 % slower on the generic plan than re-planned (bench:webhooks, customer.subscription.updated),
-- nor customer_first_payments_refresh (rare now; a generic plan kept per connection could keep a bad index choice).
ALTER FUNCTION revenue_months_add(text[], uuid[], timestamptz[], bigint[], int[]) SET plan_cache_mode = force_generic_plan;
--> statement-breakpoint
ALTER FUNCTION payment_attempt_months_add(text[], timestamptz[], uuid[], text[], text[], text[], boolean[], int[])
  SET plan_cache_mode = force_generic_plan;
--> statement-breakpoint
ALTER FUNCTION payment_attempt_months_move(uuid[], uuid, uuid) SET plan_cache_mode = force_generic_plan;
--> statement-breakpoint
ALTER FUNCTION customer_first_payments_lock(uuid[]) SET plan_cache_mode = force_generic_plan;
--> statement-breakpoint
ALTER FUNCTION customer_first_payments_apply(uuid[], timestamptz[], uuid[], timestamptz[])
  SET plan_cache_mode = force_generic_plan;
--> statement-breakpoint
SELECT rollups_compact();
