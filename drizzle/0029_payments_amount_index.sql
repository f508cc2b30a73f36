-- The console's payments list sorted by amount (bench:console 'payments.failed': status=failed&sort=amount) sorted every
-- matching payment for a page; (key, id) as the other list sort indexes (0027), so a page is an index walk.
CREATE INDEX "payments_amount_idx" ON "payments" USING btree ("amount_minor","id");