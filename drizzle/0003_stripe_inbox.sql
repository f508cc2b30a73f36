CREATE TABLE "billing_errors" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" text NOT NULL,
	"subject" text NOT NULL,
	"event_id" text,
	"message" text NOT NULL,
	"occurrences" integer DEFAULT 1 NOT NULL,
	"first_seen_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"resolution_note" text,
	"resolved_by" text,
	"resolved_at" timestamp with time zone,
	CONSTRAINT "billing_errors_status_check" CHECK ("billing_errors"."status" in ('open', 'resolved', 'ignored'))
);
--> statement-breakpoint
CREATE TABLE "stripe_events" (
	"id" text PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"api_version" text,
	"livemode" boolean NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"ordering_key" text NOT NULL,
	"object_id" text,
	"payload" jsonb NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"status" text NOT NULL,
	"note" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"available_at" timestamp with time zone DEFAULT now() NOT NULL,
	"processed_at" timestamp with time zone,
	"billing_error_id" uuid,
	CONSTRAINT "stripe_events_status_check" CHECK ("stripe_events"."status" in ('pending', 'parked', 'processed', 'stale', 'ignored', 'skipped', 'failed'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX "billing_errors_open_key" ON "billing_errors" USING btree ("kind","subject") WHERE "billing_errors"."status" = 'open';--> statement-breakpoint
CREATE INDEX "billing_errors_status_idx" ON "billing_errors" USING btree ("status","last_seen_at");--> statement-breakpoint
CREATE INDEX "stripe_events_queue_idx" ON "stripe_events" USING btree ("available_at","created_at","id") WHERE "stripe_events"."status" in ('pending', 'parked');--> statement-breakpoint
CREATE INDEX "stripe_events_key_queue_idx" ON "stripe_events" USING btree ("ordering_key","created_at","id") WHERE "stripe_events"."status" in ('pending', 'parked');--> statement-breakpoint
CREATE INDEX "stripe_events_received_idx" ON "stripe_events" USING btree ("received_at","id");--> statement-breakpoint
CREATE INDEX "stripe_events_type_idx" ON "stripe_events" USING btree ("type","received_at","id");--> statement-breakpoint
CREATE INDEX "stripe_events_status_idx" ON "stripe_events" USING btree ("status","received_at","id");--> statement-breakpoint
CREATE INDEX "stripe_events_billing_error_idx" ON "stripe_events" USING btree ("billing_error_id") WHERE "stripe_events"."billing_error_id" is not null;