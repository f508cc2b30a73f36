CREATE TABLE "customer_first_payments" (
	"customer_id" uuid PRIMARY KEY NOT NULL,
	"first_paid_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "customer_first_payments" ADD CONSTRAINT "customer_first_payments_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "invoices_customer_first_paid_idx" ON "invoices" USING btree ("customer_id","paid_at") WHERE "invoices"."status" = 'paid' AND "invoices"."amount_paid_minor" > 0 AND "invoices"."paid_at" IS NOT NULL;