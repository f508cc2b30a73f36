-- subscription_states (src/analytics/analytics.tables.ts) kept equal to what src/analytics/subscriptions-at.ts reads
-- from the inbox, by statement triggers on stripe_events in the transaction that inserts an event or changes its
-- status: the subscriptions touched are recomputed whole from their applied or stale `customer.subscription.*`
-- events, so a late event re-writes the states after it. Then backfilled from the inbox.
--
-- Concurrency as for mrr_customer_days (0013): an advisory lock per subscription (namespace 15) taken before reading
-- the inbox, or a table lock against every other writer for a statement touching more than 1,000 subscriptions.
CREATE FUNCTION subscription_states_refresh(keys text[], subs text[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM subscription_states WHERE stripe_subscription_id IN (SELECT unnest(subs));
  INSERT INTO subscription_states (stripe_subscription_id, ordering_key, valid_from, valid_to, status,
                                   cancel_requested, event_id)
  SELECT object_id, ordering_key, created_at,
         lead(created_at) OVER (PARTITION BY object_id, ordering_key ORDER BY created_at),
         payload #>> '{data,object,status}', (payload #>> '{data,object,cancel_at_period_end}')::boolean, id
  FROM (
    -- Same second: the event the mirror applied wins over the ones its version guard found stale, then the greater id.
    SELECT DISTINCT ON (ev.object_id, ev.ordering_key, ev.created_at)
           ev.object_id, ev.ordering_key, ev.created_at, ev.payload, ev.id
    FROM stripe_events ev
    JOIN unnest(keys, subs) AS t(ordering_key, object_id)
      ON ev.ordering_key = t.ordering_key AND ev.object_id = t.object_id
    WHERE ev.type LIKE 'customer.subscription.%' AND ev.status IN ('processed', 'stale')
    ORDER BY ev.object_id, ev.ordering_key, ev.created_at, (ev.status = 'processed') DESC, ev.id DESC
  ) winners;
END
$$;
--> statement-breakpoint
CREATE FUNCTION subscription_states_lock_and_refresh(keys text[], subs text[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF subs IS NULL OR cardinality(subs) = 0 THEN
    RETURN;
  END IF;
  IF cardinality(subs) > 1000 THEN
    LOCK TABLE subscription_states IN SHARE ROW EXCLUSIVE MODE;
  ELSE
    LOCK TABLE subscription_states IN ROW EXCLUSIVE MODE;
    PERFORM pg_advisory_xact_lock(15, hashtext(s)) FROM unnest(subs) AS s ORDER BY hashtext(s);
  END IF;
  PERFORM subscription_states_refresh(keys, subs);
END
$$;
--> statement-breakpoint
CREATE FUNCTION stripe_events_subscription_states() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  keys text[];
  subs text[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(ordering_key), array_agg(object_id) INTO keys, subs FROM (
      SELECT DISTINCT ordering_key, object_id FROM new_events
      WHERE type LIKE 'customer.subscription.%' AND object_id IS NOT NULL AND status IN ('processed', 'stale')
    ) touched;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(ordering_key), array_agg(object_id) INTO keys, subs FROM (
      SELECT DISTINCT ordering_key, object_id FROM old_events
      WHERE type LIKE 'customer.subscription.%' AND object_id IS NOT NULL AND status IN ('processed', 'stale')
    ) touched;
  ELSE
    -- an event entering or leaving processed / stale (every other update: nothing to do)
    SELECT array_agg(ordering_key), array_agg(object_id) INTO keys, subs FROM (
      SELECT DISTINCT n.ordering_key, n.object_id FROM new_events n JOIN old_events o ON o.id = n.id
      WHERE n.type LIKE 'customer.subscription.%' AND n.object_id IS NOT NULL
        AND (n.status IN ('processed', 'stale')) IS DISTINCT FROM (o.status IN ('processed', 'stale'))
    ) touched;
  END IF;
  PERFORM subscription_states_lock_and_refresh(keys, subs);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER stripe_events_subscription_states_insert AFTER INSERT ON stripe_events
  REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION stripe_events_subscription_states();
--> statement-breakpoint
CREATE TRIGGER stripe_events_subscription_states_update AFTER UPDATE ON stripe_events
  REFERENCING OLD TABLE AS old_events NEW TABLE AS new_events FOR EACH STATEMENT
  EXECUTE FUNCTION stripe_events_subscription_states();
--> statement-breakpoint
CREATE TRIGGER stripe_events_subscription_states_delete AFTER DELETE ON stripe_events
  REFERENCING OLD TABLE AS old_events FOR EACH STATEMENT EXECUTE FUNCTION stripe_events_subscription_states();
--> statement-breakpoint
CREATE FUNCTION stripe_events_subscription_states_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM subscription_states; -- not TRUNCATE: a TRUNCATE … CASCADE may already hold it in this statement
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER stripe_events_subscription_states_truncate AFTER TRUNCATE ON stripe_events
  FOR EACH STATEMENT EXECUTE FUNCTION stripe_events_subscription_states_truncate();
--> statement-breakpoint
SELECT subscription_states_refresh(array_agg(ordering_key), array_agg(object_id)) FROM (
  SELECT DISTINCT ordering_key, object_id FROM stripe_events
  WHERE type LIKE 'customer.subscription.%' AND object_id IS NOT NULL AND status IN ('processed', 'stale')
) touched;
