-- The audit log's hash chain and append-only guard (see src/audit/append-audit.ts).
-- Each row's hash = sha256(previous row's hash || audit_row_content(row)), hex. The chain starts at 64 zeros.
-- The BEFORE INSERT trigger locks the one-row audit_head until the inserting transaction ends, so callers write
-- their audit row last in a transaction.
CREATE FUNCTION audit_row_content(r audit_log) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_build_array(
    r.id, (extract(epoch FROM r.at) * 1000000)::bigint, r.actor_type, r.actor_id, r.action, r.subject_type,
    r.subject_id, r.before, r.after, r.reason, r.cause, r.request_id
  )::text
$$;
--> statement-breakpoint
CREATE FUNCTION audit_log_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  head audit_head%ROWTYPE;
BEGIN
  SELECT * INTO head FROM audit_head WHERE id = 1 FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'audit_head row is missing';
  END IF;
  NEW.id := head.last_id + 1;
  NEW.prev_hash := head.last_hash;
  NEW.hash := encode(sha256(convert_to(head.last_hash || audit_row_content(NEW), 'UTF8')), 'hex');
  UPDATE audit_head SET last_id = NEW.id, last_hash = NEW.hash WHERE id = 1;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE FUNCTION audit_log_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
--> statement-breakpoint
CREATE FUNCTION audit_head_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Only the chain trigger (nested, depth > 1) may move the head.
  IF pg_trigger_depth() < 2 THEN
    RAISE EXCEPTION 'audit_head is maintained by the audit_log trigger: % refused', TG_OP
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint
INSERT INTO audit_head (id, last_id, last_hash) VALUES (1, 0, repeat('0', 64));
--> statement-breakpoint
CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_chain();
--> statement-breakpoint
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_refuse();
--> statement-breakpoint
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse();
--> statement-breakpoint
CREATE TRIGGER audit_head_guard BEFORE UPDATE OR DELETE ON audit_head FOR EACH ROW EXECUTE FUNCTION audit_head_guard();
--> statement-breakpoint
CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse();
