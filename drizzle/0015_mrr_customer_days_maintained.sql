-- mrr_customer_days (src/analytics/analytics.tables.ts) kept equal to its definition (src/analytics/customer-days.ts)
-- by triggers, in the transaction that writes mrr_movements or moves a subscription to another plan: the customers
-- touched are recomputed whole from mrr_movements, so a late movement (an `at` before days already rolled up)
-- re-writes the customer's later rows. Then backfilled from the movements already stored.
--
-- Concurrency (READ COMMITTED, as the app runs): two transactions adding movements of one customer take the same
-- advisory lock (namespace 14, the customer) before reading the movements, so the second recomputes after the first
-- commits and sees its movements. A statement touching more than 1,000 customers (a bulk load) locks the table
-- against every other writer instead (SHARE ROW EXCLUSIVE; single writers hold ROW EXCLUSIVE from the start), rather
-- than taking one lock per customer.
CREATE FUNCTION mrr_customer_days_refresh(ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM mrr_customer_days WHERE customer_id IN (SELECT unnest(ids));
  INSERT INTO mrr_customer_days (customer_id, currency, plan_id, day, month, delta_minor, mrr_before_minor,
                                 mrr_after_minor, kind, same_window, next_day)
  SELECT customer_id, currency, plan_id, day, month, delta, before, after, kind,
         first_value(before) OVER w_month = 0 AND first_value(after) OVER w_month_desc = 0,
         lead(day) OVER w
  FROM (
    SELECT customer_id, currency, plan_id, day, date_trunc('month', day, 'UTC') AS month, delta, before, after,
           CASE
             WHEN before = 0 AND churned_before THEN 'reactivation'
             WHEN before = 0 THEN 'new'
             WHEN after = 0 THEN 'churn'
             WHEN after > before THEN 'expansion'
             ELSE 'contraction'
           END AS kind
    FROM (
      SELECT customer_id, currency, plan_id, day, delta, after - delta AS before, after,
             coalesce(bool_or(after = 0 AND delta < 0) OVER (
               PARTITION BY customer_id, currency, plan_id ORDER BY day
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
             ), false) AS churned_before
      FROM (
        SELECT customer_id, currency, plan_id, day, delta,
               sum(delta) OVER (PARTITION BY customer_id, currency, plan_id ORDER BY day) AS after
        FROM (
          -- every plan (plan_id NULL) and each current plan; a subscription without a plan is in the first only
          SELECT m.customer_id, m.currency, CASE WHEN grouping(s.plan_id) = 0 THEN s.plan_id END AS plan_id,
                 date_trunc('day', m.at, 'UTC') AS day, sum(m.delta_minor)::bigint AS delta
          FROM mrr_movements m
          JOIN subscriptions s ON s.id = m.subscription_id
          WHERE m.customer_id IN (SELECT unnest(ids))
          GROUP BY GROUPING SETS ((m.customer_id, m.currency, date_trunc('day', m.at, 'UTC')),
                                  (m.customer_id, m.currency, s.plan_id, date_trunc('day', m.at, 'UTC')))
          HAVING grouping(s.plan_id) = 1 OR s.plan_id IS NOT NULL
        ) per_day
      ) running
    ) ordered
    WHERE delta <> 0
  ) days
  WINDOW w AS (PARTITION BY customer_id, currency, plan_id ORDER BY day),
         w_month AS (PARTITION BY customer_id, currency, plan_id, month ORDER BY day),
         w_month_desc AS (PARTITION BY customer_id, currency, plan_id, month ORDER BY day DESC);
END
$$;
--> statement-breakpoint
CREATE FUNCTION mrr_customer_days_lock_and_refresh(ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF ids IS NULL OR cardinality(ids) = 0 THEN
    RETURN;
  END IF;
  IF cardinality(ids) > 1000 THEN
    LOCK TABLE mrr_customer_days IN SHARE ROW EXCLUSIVE MODE;
  ELSE
    LOCK TABLE mrr_customer_days IN ROW EXCLUSIVE MODE;
    -- in one order, so two transactions locking several customers cannot deadlock on each other
    PERFORM pg_advisory_xact_lock(14, hashtext(id::text)) FROM unnest(ids) AS id ORDER BY hashtext(id::text);
  END IF;
  PERFORM mrr_customer_days_refresh(ids);
END
$$;
--> statement-breakpoint
CREATE FUNCTION mrr_movements_roll_up() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  ids uuid[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(DISTINCT customer_id) INTO ids FROM new_movements;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(DISTINCT customer_id) INTO ids FROM old_movements;
  ELSE
    SELECT array_agg(DISTINCT customer_id) INTO ids
    FROM (SELECT customer_id FROM new_movements UNION SELECT customer_id FROM old_movements) touched;
  END IF;
  PERFORM mrr_customer_days_lock_and_refresh(ids);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER mrr_movements_roll_up_insert AFTER INSERT ON mrr_movements
  REFERENCING NEW TABLE AS new_movements FOR EACH STATEMENT EXECUTE FUNCTION mrr_movements_roll_up();
--> statement-breakpoint
CREATE TRIGGER mrr_movements_roll_up_update AFTER UPDATE ON mrr_movements
  REFERENCING OLD TABLE AS old_movements NEW TABLE AS new_movements FOR EACH STATEMENT
  EXECUTE FUNCTION mrr_movements_roll_up();
--> statement-breakpoint
CREATE TRIGGER mrr_movements_roll_up_delete AFTER DELETE ON mrr_movements
  REFERENCING OLD TABLE AS old_movements FOR EACH STATEMENT EXECUTE FUNCTION mrr_movements_roll_up();
--> statement-breakpoint
CREATE FUNCTION mrr_movements_roll_up_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM mrr_customer_days; -- not TRUNCATE: a TRUNCATE … CASCADE may already hold it in this statement
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER mrr_movements_roll_up_truncate AFTER TRUNCATE ON mrr_movements
  FOR EACH STATEMENT EXECUTE FUNCTION mrr_movements_roll_up_truncate();
--> statement-breakpoint
-- A subscription's movements count for its CURRENT plan: moving it re-writes its customer's per-plan rows.
CREATE FUNCTION subscriptions_plan_roll_up() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM mrr_movements WHERE subscription_id = NEW.id) THEN
    PERFORM mrr_customer_days_lock_and_refresh(ARRAY[NEW.customer_id]);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER subscriptions_plan_roll_up AFTER UPDATE OF plan_id ON subscriptions
  FOR EACH ROW WHEN (OLD.plan_id IS DISTINCT FROM NEW.plan_id) EXECUTE FUNCTION subscriptions_plan_roll_up();
--> statement-breakpoint
SELECT mrr_customer_days_refresh(array_agg(id)) FROM customers WHERE EXISTS (
  SELECT 1 FROM mrr_movements m WHERE m.customer_id = customers.id
);
