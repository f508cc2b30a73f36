CREATE TABLE "role_overrides" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" text NOT NULL,
	"role" text NOT NULL,
	"reason" text NOT NULL,
	"set_by_type" text NOT NULL,
	"set_by" text,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone,
	"cleared_at" timestamp with time zone,
	"cleared_by_type" text,
	"cleared_by" text,
	"clear_kind" text,
	"clear_reason" text,
	CONSTRAINT "role_overrides_role_check" CHECK ("role_overrides"."role" in ('member', 'professional', 'enterprise')),
	CONSTRAINT "role_overrides_clear_kind_check" CHECK ("role_overrides"."clear_kind" is null or "role_overrides"."clear_kind" in ('admin', 'replaced', 'expired'))
);
--> statement-breakpoint
CREATE TABLE "role_sync_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"status" text NOT NULL,
	"dry_run" boolean DEFAULT false NOT NULL,
	"requested_by_type" text NOT NULL,
	"requested_by" text,
	"reason" text,
	"batch_size" integer NOT NULL,
	"total" integer DEFAULT 0 NOT NULL,
	"processed" integer DEFAULT 0 NOT NULL,
	"changed" integer DEFAULT 0 NOT NULL,
	"user_ids" jsonb NOT NULL,
	"cursor" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"last_error" text,
	CONSTRAINT "role_sync_runs_status_check" CHECK ("role_sync_runs"."status" in ('queued', 'running', 'finished', 'failed'))
);
--> statement-breakpoint
CREATE TABLE "dunning_case_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"case_id" uuid NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"kind" text NOT NULL,
	"cause" text NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	CONSTRAINT "dunning_case_events_kind_check" CHECK ("dunning_case_events"."kind" in ('opened', 'payment_failed', 'reminder_sent', 'card_updated', 'recovered', 'lost'))
);
--> statement-breakpoint
CREATE TABLE "dunning_cases" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"subscription_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"user_id" text,
	"invoice_id" uuid,
	"stripe_invoice_id" text NOT NULL,
	"status" text NOT NULL,
	"opened_at" timestamp with time zone NOT NULL,
	"grace_days" integer NOT NULL,
	"grace_until" timestamp with time zone NOT NULL,
	"attempts" integer DEFAULT 1 NOT NULL,
	"last_failure_at" timestamp with time zone NOT NULL,
	"last_failure_code" text,
	"last_decline_code" text,
	"amount_due_minor" bigint NOT NULL,
	"currency" text NOT NULL,
	"payment_method_at_open" text,
	"reminder_sent_at" timestamp with time zone,
	"recovered_at" timestamp with time zone,
	"recovered_amount_minor" bigint,
	"recovered_by" text,
	"time_to_recover_seconds" integer,
	"lost_at" timestamp with time zone,
	"lost_reason" text,
	"opened_by_event_id" text,
	"closed_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "dunning_cases_status_check" CHECK ("dunning_cases"."status" in ('open', 'recovered', 'lost')),
	CONSTRAINT "dunning_cases_recovered_by_check" CHECK ("dunning_cases"."recovered_by" is null or "dunning_cases"."recovered_by" in ('stripe_retry', 'card_update', 'manual')),
	CONSTRAINT "dunning_cases_lost_reason_check" CHECK ("dunning_cases"."lost_reason" is null or "dunning_cases"."lost_reason" in ('grace_expired', 'subscription_ended'))
);
--> statement-breakpoint
CREATE TABLE "outbox" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"key" text NOT NULL,
	"template" text NOT NULL,
	"user_id" text,
	"to_email" text NOT NULL,
	"subject" text NOT NULL,
	"body" text NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"created_at" timestamp with time zone NOT NULL,
	"sent_at" timestamp with time zone,
	CONSTRAINT "outbox_key_unique" UNIQUE("key"),
	CONSTRAINT "outbox_status_check" CHECK ("outbox"."status" in ('pending', 'sent', 'failed')),
	CONSTRAINT "outbox_template_check" CHECK ("outbox"."template" in ('payment_failed', 'grace_ending', 'downgraded', 'receipt', 'trial_ending'))
);
--> statement-breakpoint
ALTER TABLE "role_overrides" ADD CONSTRAINT "role_overrides_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dunning_case_events" ADD CONSTRAINT "dunning_case_events_case_id_dunning_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."dunning_cases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dunning_cases" ADD CONSTRAINT "dunning_cases_subscription_id_subscriptions_id_fk" FOREIGN KEY ("subscription_id") REFERENCES "public"."subscriptions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dunning_cases" ADD CONSTRAINT "dunning_cases_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dunning_cases" ADD CONSTRAINT "dunning_cases_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dunning_cases" ADD CONSTRAINT "dunning_cases_invoice_id_invoices_id_fk" FOREIGN KEY ("invoice_id") REFERENCES "public"."invoices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outbox" ADD CONSTRAINT "outbox_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "role_overrides_one_open_uq" ON "role_overrides" USING btree ("user_id") WHERE "role_overrides"."cleared_at" is null;--> statement-breakpoint
CREATE INDEX "role_overrides_user_idx" ON "role_overrides" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "role_overrides_expiry_idx" ON "role_overrides" USING btree ("expires_at") WHERE "role_overrides"."cleared_at" is null and "role_overrides"."expires_at" is not null;--> statement-breakpoint
CREATE INDEX "role_sync_runs_created_idx" ON "role_sync_runs" USING btree ("created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "dunning_case_events_step_uq" ON "dunning_case_events" USING btree ("case_id","kind","cause");--> statement-breakpoint
CREATE INDEX "dunning_case_events_case_idx" ON "dunning_case_events" USING btree ("case_id","at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "dunning_cases_one_open_uq" ON "dunning_cases" USING btree ("subscription_id") WHERE "dunning_cases"."status" = 'open';--> statement-breakpoint
CREATE INDEX "dunning_cases_subscription_idx" ON "dunning_cases" USING btree ("subscription_id","opened_at");--> statement-breakpoint
CREATE INDEX "dunning_cases_user_idx" ON "dunning_cases" USING btree ("user_id","opened_at");--> statement-breakpoint
CREATE INDEX "dunning_cases_status_idx" ON "dunning_cases" USING btree ("status","opened_at");--> statement-breakpoint
CREATE INDEX "dunning_cases_open_grace_idx" ON "dunning_cases" USING btree ("grace_until") WHERE "dunning_cases"."status" = 'open';--> statement-breakpoint
CREATE INDEX "outbox_pending_idx" ON "outbox" USING btree ("created_at") WHERE "outbox"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "outbox_created_idx" ON "outbox" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "outbox_user_idx" ON "outbox" USING btree ("user_id","created_at");