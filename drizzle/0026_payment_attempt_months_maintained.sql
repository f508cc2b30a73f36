-- payment_attempt_months (src/analytics/analytics.tables.ts) kept equal to the payments it counts, as revenue_months
-- (0023): each payments statement adds its new rows and takes away its old ones (an update only for rows whose
-- outcome, time, currency, card, decline code or invoice changed), grouped, into the writing backend's slot; the
-- subscriptions behind them are read FOR SHARE first. An invoice moving to another subscription, or a subscription
-- to another plan, moves its payments. Then backfilled.
CREATE FUNCTION payment_attempt_months_add(cur text[], at timestamptz[], invoice uuid[], decline text[],
                                           brand text[], country text[], failed boolean[], sign int[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF cur IS NULL THEN
    RETURN;
  END IF;
  PERFORM 1 FROM subscriptions s
  WHERE s.id IN (SELECT i.subscription_id FROM invoices i WHERE i.id IN (SELECT unnest(invoice)))
  ORDER BY s.id FOR SHARE OF s;
  INSERT INTO payment_attempt_months AS r (currency, month, plan_id, decline_code, card_brand, card_country, slot,
                                           attempts, failures)
  SELECT x.cur, date_trunc('month', x.at, 'UTC'), s.plan_id, x.decline, x.brand, x.country, pg_backend_pid() % 16,
         sum(x.sign), sum(x.sign * x.failed::int)
  FROM unnest(cur, at, invoice, decline, brand, country, failed, sign)
       AS x(cur, at, invoice, decline, brand, country, failed, sign)
  LEFT JOIN invoices i ON i.id = x.invoice
  LEFT JOIN subscriptions s ON s.id = i.subscription_id
  GROUP BY 1, 2, 3, 4, 5, 6
  HAVING sum(x.sign) <> 0 OR sum(x.sign * x.failed::int) <> 0
  ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT ON CONSTRAINT payment_attempt_months_uq DO UPDATE
    SET attempts = r.attempts + excluded.attempts, failures = r.failures + excluded.failures;
END
$$;
--> statement-breakpoint
-- A payment is an attempt when it succeeded or failed (src/analytics/reports/payment-failures-report.ts).
CREATE FUNCTION payment_failed(status text, charge_status text, failure_code text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
  SELECT status <> 'succeeded' AND (status = 'failed' OR charge_status = 'failed' OR failure_code IS NOT NULL)
$$;
--> statement-breakpoint
CREATE FUNCTION payments_attempt_months() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM payment_attempt_months_add(array_agg(currency), array_agg(created_at), array_agg(invoice_id),
      array_agg(decline_code), array_agg(card_brand), array_agg(card_country), array_agg(f), array_agg(1))
    FROM (SELECT *, payment_failed(status, charge_status, failure_code) AS f FROM new_payments) n
    WHERE f OR status = 'succeeded';
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM payment_attempt_months_add(array_agg(currency), array_agg(created_at), array_agg(invoice_id),
      array_agg(decline_code), array_agg(card_brand), array_agg(card_country), array_agg(f), array_agg(-1))
    FROM (SELECT *, payment_failed(status, charge_status, failure_code) AS f FROM old_payments) o
    WHERE f OR status = 'succeeded';
  ELSE
    PERFORM payment_attempt_months_add(array_agg(x.currency), array_agg(x.created_at), array_agg(x.invoice_id),
      array_agg(x.decline_code), array_agg(x.card_brand), array_agg(x.card_country), array_agg(x.f),
      array_agg(x.sign))
    FROM (
      SELECT v.* FROM new_payments n JOIN old_payments o ON o.id = n.id
      CROSS JOIN LATERAL (VALUES
        (n.status, n.currency, n.created_at, n.invoice_id, n.decline_code, n.card_brand, n.card_country,
         payment_failed(n.status, n.charge_status, n.failure_code), 1),
        (o.status, o.currency, o.created_at, o.invoice_id, o.decline_code, o.card_brand, o.card_country,
         payment_failed(o.status, o.charge_status, o.failure_code), -1)
      ) AS v(status, currency, created_at, invoice_id, decline_code, card_brand, card_country, f, sign)
      WHERE (o.status, o.charge_status, o.failure_code, o.currency, o.created_at, o.invoice_id, o.decline_code,
             o.card_brand, o.card_country)
            IS DISTINCT FROM (n.status, n.charge_status, n.failure_code, n.currency, n.created_at, n.invoice_id,
             n.decline_code, n.card_brand, n.card_country)
    ) x WHERE x.f OR x.status = 'succeeded';
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER payments_attempt_months_insert AFTER INSERT ON payments
  REFERENCING NEW TABLE AS new_payments FOR EACH STATEMENT EXECUTE FUNCTION payments_attempt_months();
--> statement-breakpoint
CREATE TRIGGER payments_attempt_months_update AFTER UPDATE ON payments
  REFERENCING OLD TABLE AS old_payments NEW TABLE AS new_payments FOR EACH STATEMENT
  EXECUTE FUNCTION payments_attempt_months();
--> statement-breakpoint
CREATE TRIGGER payments_attempt_months_delete AFTER DELETE ON payments
  REFERENCING OLD TABLE AS old_payments FOR EACH STATEMENT EXECUTE FUNCTION payments_attempt_months();
--> statement-breakpoint
CREATE FUNCTION payments_attempt_months_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM payment_attempt_months; -- not TRUNCATE: a TRUNCATE … CASCADE may already hold it in this statement
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER payments_attempt_months_truncate AFTER TRUNCATE ON payments
  FOR EACH STATEMENT EXECUTE FUNCTION payments_attempt_months_truncate();
--> statement-breakpoint
-- Payments count for the plan their invoice's subscription is CURRENTLY on: moving either moves them.
CREATE FUNCTION payment_attempt_months_move(invoice_ids uuid[], from_plan uuid, to_plan uuid)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO payment_attempt_months AS r (currency, month, plan_id, decline_code, card_brand, card_country, slot,
                                           attempts, failures)
  SELECT p.currency, date_trunc('month', p.created_at, 'UTC'), x.plan_id, p.decline_code, p.card_brand,
         p.card_country, pg_backend_pid() % 16, sum(x.sign),
         sum(x.sign * payment_failed(p.status, p.charge_status, p.failure_code)::int)
  FROM payments p CROSS JOIN (VALUES (from_plan, -1), (to_plan, 1)) AS x(plan_id, sign)
  WHERE p.invoice_id IN (SELECT unnest(invoice_ids))
    AND (p.status = 'succeeded' OR payment_failed(p.status, p.charge_status, p.failure_code))
  GROUP BY 1, 2, 3, 4, 5, 6
  ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT ON CONSTRAINT payment_attempt_months_uq DO UPDATE
    SET attempts = r.attempts + excluded.attempts, failures = r.failures + excluded.failures;
END
$$;
--> statement-breakpoint
CREATE FUNCTION subscriptions_plan_payment_attempt_months() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM payment_attempt_months_move(
    (SELECT array_agg(i.id) FROM invoices i WHERE i.subscription_id = NEW.id), OLD.plan_id, NEW.plan_id);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER subscriptions_plan_payment_attempt_months AFTER UPDATE OF plan_id ON subscriptions
  FOR EACH ROW WHEN (OLD.plan_id IS DISTINCT FROM NEW.plan_id)
  EXECUTE FUNCTION subscriptions_plan_payment_attempt_months();
--> statement-breakpoint
CREATE FUNCTION invoices_subscription_payment_attempt_months() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM payment_attempt_months_move(ARRAY[NEW.id],
    (SELECT plan_id FROM subscriptions WHERE id = OLD.subscription_id),
    (SELECT plan_id FROM subscriptions WHERE id = NEW.subscription_id));
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER invoices_subscription_payment_attempt_months AFTER UPDATE OF subscription_id ON invoices
  FOR EACH ROW WHEN (OLD.subscription_id IS DISTINCT FROM NEW.subscription_id)
  EXECUTE FUNCTION invoices_subscription_payment_attempt_months();
--> statement-breakpoint
INSERT INTO payment_attempt_months (currency, month, plan_id, decline_code, card_brand, card_country, slot, attempts,
                                    failures)
SELECT p.currency, date_trunc('month', p.created_at, 'UTC'), s.plan_id, p.decline_code, p.card_brand, p.card_country,
       0, count(*), count(*) FILTER (WHERE payment_failed(p.status, p.charge_status, p.failure_code))
FROM payments p LEFT JOIN invoices i ON i.id = p.invoice_id LEFT JOIN subscriptions s ON s.id = i.subscription_id
WHERE p.status = 'succeeded' OR payment_failed(p.status, p.charge_status, p.failure_code)
GROUP BY 1, 2, 3, 4, 5, 6;
