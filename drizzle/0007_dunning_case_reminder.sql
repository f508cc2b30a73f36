ALTER TABLE "dunning_cases" ALTER COLUMN "stripe_invoice_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "dunning_cases" ALTER COLUMN "amount_due_minor" SET DEFAULT 0;--> statement-breakpoint
ALTER TABLE "dunning_cases" ADD COLUMN "reminder_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "dunning_cases_open_reminder_idx" ON "dunning_cases" USING btree ("reminder_at") WHERE "dunning_cases"."status" = 'open' and "dunning_cases"."reminder_sent_at" is null;--> statement-breakpoint
CREATE INDEX "dunning_cases_stripe_invoice_idx" ON "dunning_cases" USING btree ("stripe_invoice_id");