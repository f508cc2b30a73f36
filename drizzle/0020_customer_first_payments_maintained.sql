-- customer_first_payments (src/analytics/analytics.tables.ts) kept equal to min(paid_at) of each customer's paid
-- invoices with money in them, by statement triggers on invoices in the transaction that writes them: the customers
-- an inserted, changed or deleted invoice belongs to (before and after) are recomputed from their invoices, through
-- the partial index invoices_customer_first_paid_idx (one index probe per customer). Then backfilled.
-- Concurrency as for mrr_customer_days (0013): an advisory lock per customer (namespace 16) taken before reading the
-- invoices, or a table lock against every other writer for a statement touching more than 1,000 customers.
CREATE FUNCTION customer_first_payments_refresh(ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM customer_first_payments WHERE customer_id IN (SELECT unnest(ids));
  INSERT INTO customer_first_payments (customer_id, first_paid_at)
  SELECT t.id, first.paid_at
  FROM (SELECT DISTINCT unnest(ids) AS id) t
  CROSS JOIN LATERAL (
    SELECT i.paid_at FROM invoices i
    WHERE i.customer_id = t.id AND i.status = 'paid' AND i.amount_paid_minor > 0 AND i.paid_at IS NOT NULL
    ORDER BY i.paid_at LIMIT 1
  ) first;
END
$$;
--> statement-breakpoint
CREATE FUNCTION customer_first_payments_lock_and_refresh(ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF ids IS NULL OR cardinality(ids) = 0 THEN
    RETURN;
  END IF;
  IF cardinality(ids) > 1000 THEN
    LOCK TABLE customer_first_payments IN SHARE ROW EXCLUSIVE MODE;
  ELSE
    LOCK TABLE customer_first_payments IN ROW EXCLUSIVE MODE;
    PERFORM pg_advisory_xact_lock(16, hashtext(id::text)) FROM unnest(ids) AS id ORDER BY hashtext(id::text);
  END IF;
  PERFORM customer_first_payments_refresh(ids);
END
$$;
--> statement-breakpoint
CREATE FUNCTION invoices_first_payments() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  ids uuid[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(DISTINCT customer_id) INTO ids FROM new_invoices
    WHERE customer_id IS NOT NULL AND status = 'paid' AND amount_paid_minor > 0 AND paid_at IS NOT NULL;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(DISTINCT customer_id) INTO ids FROM old_invoices
    WHERE customer_id IS NOT NULL AND status = 'paid' AND amount_paid_minor > 0 AND paid_at IS NOT NULL;
  ELSE
    -- only the rows whose paid money, its time or its customer changed
    SELECT array_agg(DISTINCT c) INTO ids FROM (
      SELECT unnest(ARRAY[o.customer_id, n.customer_id]) AS c
      FROM new_invoices n JOIN old_invoices o ON o.id = n.id
      WHERE (n.status = 'paid' AND n.amount_paid_minor > 0 AND n.paid_at IS NOT NULL
             OR o.status = 'paid' AND o.amount_paid_minor > 0 AND o.paid_at IS NOT NULL)
        AND (o.status, o.amount_paid_minor, o.paid_at, o.customer_id)
            IS DISTINCT FROM (n.status, n.amount_paid_minor, n.paid_at, n.customer_id)
    ) touched WHERE c IS NOT NULL;
  END IF;
  PERFORM customer_first_payments_lock_and_refresh(ids);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER invoices_first_payments_insert AFTER INSERT ON invoices
  REFERENCING NEW TABLE AS new_invoices FOR EACH STATEMENT EXECUTE FUNCTION invoices_first_payments();
--> statement-breakpoint
CREATE TRIGGER invoices_first_payments_update AFTER UPDATE ON invoices
  REFERENCING OLD TABLE AS old_invoices NEW TABLE AS new_invoices FOR EACH STATEMENT
  EXECUTE FUNCTION invoices_first_payments();
--> statement-breakpoint
CREATE TRIGGER invoices_first_payments_delete AFTER DELETE ON invoices
  REFERENCING OLD TABLE AS old_invoices FOR EACH STATEMENT EXECUTE FUNCTION invoices_first_payments();
--> statement-breakpoint
CREATE FUNCTION invoices_first_payments_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM customer_first_payments; -- not TRUNCATE: a TRUNCATE … CASCADE may already hold it in this statement
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER invoices_first_payments_truncate AFTER TRUNCATE ON invoices
  FOR EACH STATEMENT EXECUTE FUNCTION invoices_first_payments_truncate();
--> statement-breakpoint
INSERT INTO customer_first_payments (customer_id, first_paid_at)
SELECT customer_id, min(paid_at) FROM invoices
WHERE customer_id IS NOT NULL AND status = 'paid' AND amount_paid_minor > 0 AND paid_at IS NOT NULL
GROUP BY customer_id;
