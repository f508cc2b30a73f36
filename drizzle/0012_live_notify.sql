-- Live updates for the console and the account page (GET /api/admin/stream, GET /api/me/stream; src/http/live/).
-- Statement-level triggers send one NOTIFY on channel `sertantai_live` per changed table kind and transaction,
-- delivered at COMMIT (never for a rolled-back write), to every web process that LISTENs. The payload is
-- `<txid>:<topic>`: PostgreSQL folds identical payloads of one transaction into one notification, and every process
-- receives the same notifications in commit order, so the payload is also the SSE event id a reconnecting browser
-- resumes from, whichever process it reaches.
-- User-scoped topics (`user:<id>`) name the users whose rows changed; only the account page's stream sees them.
-- Not on the ingest path: inserting a delivered event (INSERT … ON CONFLICT DO NOTHING) fires no trigger here, since
-- a NOTIFY takes PostgreSQL's global notify lock through COMMIT and would serialize the webhook acknowledgements.
CREATE FUNCTION live_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('sertantai_live', txid_current()::text || ':' || TG_ARGV[0]);
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- The users named by the changed rows' user_id column.
CREATE FUNCTION live_notify_users() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('sertantai_live', txid_current()::text || ':user:' || u.user_id)
    FROM (SELECT DISTINCT user_id FROM live_new_rows WHERE user_id IS NOT NULL) u;
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- The users linked to the changed rows' customer_id.
CREATE FUNCTION live_notify_customer_users() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('sertantai_live', txid_current()::text || ':user:' || c.user_id)
    FROM customers c
    WHERE c.id IN (SELECT DISTINCT customer_id FROM live_new_rows) AND c.user_id IS NOT NULL;
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- A user's own row: role, verification, name or email changed.
CREATE FUNCTION live_notify_user_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('sertantai_live', txid_current()::text || ':user:' || NEW.id);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER customers_live AFTER INSERT OR UPDATE OR DELETE ON customers FOR EACH STATEMENT EXECUTE FUNCTION live_notify('customers');
--> statement-breakpoint
CREATE TRIGGER payment_methods_live AFTER INSERT OR UPDATE OR DELETE ON payment_methods FOR EACH STATEMENT EXECUTE FUNCTION live_notify('customers');
--> statement-breakpoint
CREATE TRIGGER subscriptions_live AFTER INSERT OR UPDATE OR DELETE ON subscriptions FOR EACH STATEMENT EXECUTE FUNCTION live_notify('subscriptions');
--> statement-breakpoint
CREATE TRIGGER subscription_items_live AFTER INSERT OR UPDATE OR DELETE ON subscription_items FOR EACH STATEMENT EXECUTE FUNCTION live_notify('subscriptions');
--> statement-breakpoint
CREATE TRIGGER invoices_live AFTER INSERT OR UPDATE OR DELETE ON invoices FOR EACH STATEMENT EXECUTE FUNCTION live_notify('invoices');
--> statement-breakpoint
CREATE TRIGGER payments_live AFTER INSERT OR UPDATE OR DELETE ON payments FOR EACH STATEMENT EXECUTE FUNCTION live_notify('payments');
--> statement-breakpoint
CREATE TRIGGER refunds_live AFTER INSERT OR UPDATE OR DELETE ON refunds FOR EACH STATEMENT EXECUTE FUNCTION live_notify('payments');
--> statement-breakpoint
CREATE TRIGGER disputes_live AFTER INSERT OR UPDATE OR DELETE ON disputes FOR EACH STATEMENT EXECUTE FUNCTION live_notify('payments');
--> statement-breakpoint
CREATE TRIGGER plans_live AFTER INSERT OR UPDATE OR DELETE ON plans FOR EACH STATEMENT EXECUTE FUNCTION live_notify('plans');
--> statement-breakpoint
CREATE TRIGGER plan_prices_live AFTER INSERT OR UPDATE OR DELETE ON plan_prices FOR EACH STATEMENT EXECUTE FUNCTION live_notify('plans');
--> statement-breakpoint
CREATE TRIGGER mrr_movements_live AFTER INSERT OR UPDATE OR DELETE ON mrr_movements FOR EACH STATEMENT EXECUTE FUNCTION live_notify('mrr');
--> statement-breakpoint
CREATE TRIGGER users_live AFTER INSERT OR UPDATE OR DELETE ON users FOR EACH STATEMENT EXECUTE FUNCTION live_notify('users');
--> statement-breakpoint
CREATE TRIGGER role_overrides_live AFTER INSERT OR UPDATE OR DELETE ON role_overrides FOR EACH STATEMENT EXECUTE FUNCTION live_notify('users');
--> statement-breakpoint
CREATE TRIGGER role_sync_runs_live AFTER INSERT OR UPDATE OR DELETE ON role_sync_runs FOR EACH STATEMENT EXECUTE FUNCTION live_notify('jobs');
--> statement-breakpoint
CREATE TRIGGER stripe_events_live AFTER UPDATE OR DELETE ON stripe_events FOR EACH STATEMENT EXECUTE FUNCTION live_notify('events');
--> statement-breakpoint
CREATE TRIGGER billing_errors_live AFTER INSERT OR UPDATE OR DELETE ON billing_errors FOR EACH STATEMENT EXECUTE FUNCTION live_notify('errors');
--> statement-breakpoint
CREATE TRIGGER dunning_cases_live AFTER INSERT OR UPDATE OR DELETE ON dunning_cases FOR EACH STATEMENT EXECUTE FUNCTION live_notify('dunning');
--> statement-breakpoint
CREATE TRIGGER outbox_live AFTER INSERT OR UPDATE OR DELETE ON outbox FOR EACH STATEMENT EXECUTE FUNCTION live_notify('notifications');
--> statement-breakpoint
CREATE TRIGGER audit_log_live AFTER INSERT ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION live_notify('audit');
--> statement-breakpoint
CREATE TRIGGER admin_api_keys_live AFTER INSERT OR UPDATE OR DELETE ON admin_api_keys FOR EACH STATEMENT EXECUTE FUNCTION live_notify('settings');
--> statement-breakpoint
CREATE TRIGGER users_live_user AFTER UPDATE ON users FOR EACH ROW
  WHEN (OLD.role IS DISTINCT FROM NEW.role OR OLD.email_verified IS DISTINCT FROM NEW.email_verified
        OR OLD.email IS DISTINCT FROM NEW.email OR OLD.name IS DISTINCT FROM NEW.name)
  EXECUTE FUNCTION live_notify_user_row();
--> statement-breakpoint
CREATE TRIGGER customers_live_user_ins AFTER INSERT ON customers REFERENCING NEW TABLE AS live_new_rows FOR EACH STATEMENT EXECUTE FUNCTION live_notify_users();
--> statement-breakpoint
CREATE TRIGGER customers_live_user_upd AFTER UPDATE ON customers REFERENCING NEW TABLE AS live_new_rows FOR EACH STATEMENT EXECUTE FUNCTION live_notify_users();
--> statement-breakpoint
CREATE TRIGGER dunning_cases_live_user_ins AFTER INSERT ON dunning_cases REFERENCING NEW TABLE AS live_new_rows FOR EACH STATEMENT EXECUTE FUNCTION live_notify_users();
--> statement-breakpoint
CREATE TRIGGER dunning_cases_live_user_upd AFTER UPDATE ON dunning_cases REFERENCING NEW TABLE AS live_new_rows FOR EACH STATEMENT EXECUTE FUNCTION live_notify_users();
--> statement-breakpoint
CREATE TRIGGER outbox_live_user_ins AFTER INSERT ON outbox REFERENCING NEW TABLE AS live_new_rows FOR EACH STATEMENT EXECUTE FUNCTION live_notify_users();
--> statement-breakpoint
CREATE TRIGGER subscriptions_live_user_ins AFTER INSERT ON subscriptions REFERENCING NEW TABLE AS live_new_rows FOR EACH STATEMENT EXECUTE FUNCTION live_notify_customer_users();
--> statement-breakpoint
CREATE TRIGGER subscriptions_live_user_upd AFTER UPDATE ON subscriptions REFERENCING NEW TABLE AS live_new_rows FOR EACH STATEMENT EXECUTE FUNCTION live_notify_customer_users();
--> statement-breakpoint
CREATE TRIGGER invoices_live_user_ins AFTER INSERT ON invoices REFERENCING NEW TABLE AS live_new_rows FOR EACH STATEMENT EXECUTE FUNCTION live_notify_customer_users();
--> statement-breakpoint
CREATE TRIGGER invoices_live_user_upd AFTER UPDATE ON invoices REFERENCING NEW TABLE AS live_new_rows FOR EACH STATEMENT EXECUTE FUNCTION live_notify_customer_users();
