-- subscription_states' refresh (0017) read a subscription's events through whatever plan the statistics of the
-- moment suggested: with the inbox grown since the last ANALYZE, a bitmap AND of the customer's events with EVERY
-- processed event (the status index) — 25 ms per dispatcher batch after 40k events, growing with the table
-- (bench:webhooks, customer.subscription.updated: PostgreSQL 3 ms per event). Now each subscription's events come
-- from an index of subscription events by subscription, one probe per subscription (a lateral join the planner
-- cannot flatten), and the old states go by their primary key, one probe per subscription.
CREATE INDEX "stripe_events_subscription_idx" ON "stripe_events" USING btree ("object_id","ordering_key","created_at") WHERE "stripe_events"."type" like 'customer.subscription.%';--> statement-breakpoint
CREATE OR REPLACE FUNCTION subscription_states_refresh(keys text[], subs text[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  sub text;
BEGIN
  -- one primary-key probe per subscription, whatever the statistics say about the table's size
  FOREACH sub IN ARRAY subs LOOP
    DELETE FROM subscription_states WHERE stripe_subscription_id = sub;
  END LOOP;
  INSERT INTO subscription_states (stripe_subscription_id, ordering_key, valid_from, valid_to, status,
                                   cancel_requested, event_id)
  SELECT object_id, ordering_key, created_at,
         lead(created_at) OVER (PARTITION BY object_id, ordering_key ORDER BY created_at),
         payload #>> '{data,object,status}', (payload #>> '{data,object,cancel_at_period_end}')::boolean, id
  FROM (
    -- Same second: the event the mirror applied wins over the ones its version guard found stale, then the greater id.
    SELECT DISTINCT ON (ev.object_id, ev.ordering_key, ev.created_at)
           ev.object_id, ev.ordering_key, ev.created_at, ev.payload, ev.id
    FROM (SELECT DISTINCT t.ordering_key, t.object_id FROM unnest(keys, subs) AS t(ordering_key, object_id)) t
    -- OFFSET 0 keeps the lateral a probe of the index per subscription (else the planner may flatten it into a
    -- join over every processed event); the status is checked on the subscription's few events after it.
    CROSS JOIN LATERAL (
      SELECT e.object_id, e.ordering_key, e.created_at, e.payload, e.id, e.status
      FROM stripe_events e
      WHERE e.object_id = t.object_id AND e.ordering_key = t.ordering_key AND e.type LIKE 'customer.subscription.%'
      OFFSET 0
    ) ev
    WHERE ev.status IN ('processed', 'stale')
    ORDER BY ev.object_id, ev.ordering_key, ev.created_at, (ev.status = 'processed') DESC, ev.id DESC
  ) winners;
END
$$;
