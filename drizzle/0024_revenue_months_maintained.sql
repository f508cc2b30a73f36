-- revenue_months (src/analytics/analytics.tables.ts) kept equal to the paid invoices it sums, by statement triggers
-- in the transaction that writes them: each invoice statement adds its new rows' cash and takes away its old rows'
-- (an update only for rows whose status, paid_at, amount paid, currency or subscription changed), grouped per
-- (currency, plan, month), into the writing backend's slot (pid mod 16) — one small upsert per statement, no re-read
-- of other invoices. A subscription moving to another plan moves its invoices' cash (read through
-- invoices_subscription_idx). The subscriptions of the invoices counted are read FOR SHARE first, so a concurrent
-- plan change either waits for the invoice's transaction (and then moves its cash too) or is seen by it.
-- Then backfilled from the invoices already stored.
CREATE FUNCTION revenue_months_add(cur text[], sub uuid[], paid timestamptz[], amount bigint[], sign int[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF cur IS NULL THEN
    RETURN;
  END IF;
  PERFORM 1 FROM subscriptions s WHERE s.id IN (SELECT unnest(sub)) ORDER BY s.id FOR SHARE;
  INSERT INTO revenue_months AS r (currency, plan_id, month, slot, invoices_paid, collected_minor)
  SELECT x.cur, s.plan_id, date_trunc('month', x.paid, 'UTC'), pg_backend_pid() % 16,
         sum(x.sign), sum(x.sign * x.amount)
  FROM unnest(cur, sub, paid, amount, sign) AS x(cur, sub, paid, amount, sign)
  LEFT JOIN subscriptions s ON s.id = x.sub
  GROUP BY 1, 2, 3
  HAVING sum(x.sign) <> 0 OR sum(x.sign * x.amount) <> 0
  ORDER BY 1, 2, 3
  ON CONFLICT ON CONSTRAINT revenue_months_uq DO UPDATE
    SET invoices_paid = r.invoices_paid + excluded.invoices_paid,
        collected_minor = r.collected_minor + excluded.collected_minor;
END
$$;
--> statement-breakpoint
CREATE FUNCTION invoices_revenue_months() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM revenue_months_add(array_agg(currency), array_agg(subscription_id), array_agg(paid_at),
                               array_agg(amount_paid_minor), array_agg(1))
    FROM new_invoices WHERE status = 'paid' AND paid_at IS NOT NULL;
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM revenue_months_add(array_agg(currency), array_agg(subscription_id), array_agg(paid_at),
                               array_agg(amount_paid_minor), array_agg(-1))
    FROM old_invoices WHERE status = 'paid' AND paid_at IS NOT NULL;
  ELSE
    PERFORM revenue_months_add(array_agg(x.currency), array_agg(x.subscription_id), array_agg(x.paid_at),
                               array_agg(x.amount_paid_minor), array_agg(x.sign))
    FROM (
      SELECT v.* FROM new_invoices n JOIN old_invoices o ON o.id = n.id
      CROSS JOIN LATERAL (VALUES
        (n.status, n.currency, n.subscription_id, n.paid_at, n.amount_paid_minor, 1),
        (o.status, o.currency, o.subscription_id, o.paid_at, o.amount_paid_minor, -1)
      ) AS v(status, currency, subscription_id, paid_at, amount_paid_minor, sign)
      WHERE (o.status, o.paid_at, o.amount_paid_minor, o.currency, o.subscription_id)
            IS DISTINCT FROM (n.status, n.paid_at, n.amount_paid_minor, n.currency, n.subscription_id)
    ) x WHERE x.status = 'paid' AND x.paid_at IS NOT NULL;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER invoices_revenue_months_insert AFTER INSERT ON invoices
  REFERENCING NEW TABLE AS new_invoices FOR EACH STATEMENT EXECUTE FUNCTION invoices_revenue_months();
--> statement-breakpoint
CREATE TRIGGER invoices_revenue_months_update AFTER UPDATE ON invoices
  REFERENCING OLD TABLE AS old_invoices NEW TABLE AS new_invoices FOR EACH STATEMENT
  EXECUTE FUNCTION invoices_revenue_months();
--> statement-breakpoint
CREATE TRIGGER invoices_revenue_months_delete AFTER DELETE ON invoices
  REFERENCING OLD TABLE AS old_invoices FOR EACH STATEMENT EXECUTE FUNCTION invoices_revenue_months();
--> statement-breakpoint
CREATE FUNCTION invoices_revenue_months_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM revenue_months; -- not TRUNCATE: a TRUNCATE … CASCADE may already hold it in this statement
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER invoices_revenue_months_truncate AFTER TRUNCATE ON invoices
  FOR EACH STATEMENT EXECUTE FUNCTION invoices_revenue_months_truncate();
--> statement-breakpoint
-- A paid invoice's cash counts for its subscription's CURRENT plan: moving the subscription moves the cash.
CREATE FUNCTION subscriptions_plan_revenue_months() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO revenue_months AS r (currency, plan_id, month, slot, invoices_paid, collected_minor)
  SELECT i.currency, x.plan_id, date_trunc('month', i.paid_at, 'UTC'), pg_backend_pid() % 16,
         sum(x.sign), sum(x.sign * i.amount_paid_minor)
  FROM invoices i CROSS JOIN (VALUES (OLD.plan_id, -1), (NEW.plan_id, 1)) AS x(plan_id, sign)
  WHERE i.subscription_id = NEW.id AND i.status = 'paid' AND i.paid_at IS NOT NULL
  GROUP BY 1, 2, 3
  ORDER BY 1, 2, 3
  ON CONFLICT ON CONSTRAINT revenue_months_uq DO UPDATE
    SET invoices_paid = r.invoices_paid + excluded.invoices_paid,
        collected_minor = r.collected_minor + excluded.collected_minor;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER subscriptions_plan_revenue_months AFTER UPDATE OF plan_id ON subscriptions
  FOR EACH ROW WHEN (OLD.plan_id IS DISTINCT FROM NEW.plan_id) EXECUTE FUNCTION subscriptions_plan_revenue_months();
--> statement-breakpoint
INSERT INTO revenue_months (currency, plan_id, month, slot, invoices_paid, collected_minor)
SELECT i.currency, s.plan_id, date_trunc('month', i.paid_at, 'UTC'), 0, count(*), sum(i.amount_paid_minor)
FROM invoices i LEFT JOIN subscriptions s ON s.id = i.subscription_id
WHERE i.status = 'paid' AND i.paid_at IS NOT NULL
GROUP BY 1, 2, 3;
