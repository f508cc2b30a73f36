-- Substring search in the admin lists (`q`: an email or a name contains …) by trigram indexes: ILIKE '%…%' cannot
-- use a b-tree, and at 100k customers a scan per keystroke cost 100-500 ms (npm run bench:console). The billing
-- lists search customers through a subquery on customers alone (customersMatching) so these serve them too.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
--> statement-breakpoint
CREATE INDEX customers_email_trgm_idx ON customers USING gin (email gin_trgm_ops);
--> statement-breakpoint
CREATE INDEX customers_name_trgm_idx ON customers USING gin (name gin_trgm_ops);
--> statement-breakpoint
CREATE INDEX users_email_trgm_idx ON users USING gin (email gin_trgm_ops);
--> statement-breakpoint
CREATE INDEX users_name_trgm_idx ON users USING gin (name gin_trgm_ops);
