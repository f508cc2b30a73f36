-- Inserts into audit_log no longer take a lock: the chain is built afterwards by the sealer (src/audit/seal-audit-log.ts),
-- which locks audit_head and sets seq on committed, unsealed rows; the BEFORE UPDATE trigger below then computes
-- prev_hash and hash. The one lock was held by every inserting transaction until commit, which capped audit
-- writes (and so applied webhook events) at one per commit latency.
-- audit_head.last_id now holds the last sealed seq. Rows chained by the old insert trigger are in id order.
DROP TRIGGER audit_log_chain ON audit_log;
--> statement-breakpoint
DROP TRIGGER audit_log_no_update ON audit_log;
--> statement-breakpoint
DROP FUNCTION audit_log_chain();
--> statement-breakpoint
UPDATE audit_log SET seq = id;
--> statement-breakpoint
CREATE FUNCTION audit_log_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- A row enters unsealed whatever the inserter wrote in the chain columns.
  NEW.seq := NULL;
  NEW.prev_hash := NULL;
  NEW.hash := NULL;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE FUNCTION audit_log_seal() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  head audit_head%ROWTYPE;
BEGIN
  -- The only UPDATE allowed: giving an unsealed row its place in the chain, content untouched.
  IF OLD.seq IS NOT NULL OR NEW.seq IS NULL OR audit_row_content(NEW) IS DISTINCT FROM audit_row_content(OLD) THEN
    RAISE EXCEPTION 'audit_log is append-only: UPDATE refused' USING ERRCODE = 'insufficient_privilege';
  END IF;
  SELECT * INTO head FROM audit_head WHERE id = 1 FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'audit_head row is missing';
  END IF;
  NEW.seq := head.last_id + 1;
  NEW.prev_hash := head.last_hash;
  NEW.hash := encode(sha256(convert_to(head.last_hash || audit_row_content(NEW), 'UTF8')), 'hex');
  UPDATE audit_head SET last_id = NEW.seq, last_hash = NEW.hash WHERE id = 1;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER audit_log_insert BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_insert();
--> statement-breakpoint
CREATE TRIGGER audit_log_seal BEFORE UPDATE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_seal();
--> statement-breakpoint
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_refuse();
