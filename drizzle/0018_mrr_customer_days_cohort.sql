-- The customer's cohort months on each of its rows (the cohorts report groups the rows by them in one pass instead
-- of joining every member to its rows), then every customer recomputed.
ALTER TABLE "mrr_customer_days" ADD COLUMN "cohort" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "mrr_customer_days" ADD COLUMN "cohort_excluding_same_window" timestamp with time zone;--> statement-breakpoint
CREATE OR REPLACE FUNCTION mrr_customer_days_refresh(ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM mrr_customer_days WHERE customer_id IN (SELECT unnest(ids));
  INSERT INTO mrr_customer_days (customer_id, currency, plan_id, day, month, delta_minor, mrr_before_minor,
                                 mrr_after_minor, kind, same_window, next_day, cohort, cohort_excluding_same_window)
  SELECT customer_id, currency, plan_id, day, month, delta, before, after, kind, same_window, next_day,
         min(month) FILTER (WHERE kind = 'new') OVER w_all,
         min(month) FILTER (WHERE kind = 'new' AND NOT same_window) OVER w_all
  FROM (
  SELECT customer_id, currency, plan_id, day, month, delta, before, after, kind,
         first_value(before) OVER w_month = 0 AND first_value(after) OVER w_month_desc = 0 AS same_window,
         lead(day) OVER w AS next_day
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
         w_month_desc AS (PARTITION BY customer_id, currency, plan_id, month ORDER BY day DESC)
  ) windowed
  WINDOW w_all AS (PARTITION BY customer_id, currency, plan_id);
END
$$;
--> statement-breakpoint
SELECT mrr_customer_days_refresh(array_agg(id)) FROM customers WHERE EXISTS (
  SELECT 1 FROM mrr_movements m WHERE m.customer_id = customers.id
);
