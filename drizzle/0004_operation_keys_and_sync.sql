CREATE TABLE "operation_keys" (
	"scope" text NOT NULL,
	"natural_key" text NOT NULL,
	"idempotency_key" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"result_id" text,
	"last_error" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "operation_keys_scope_natural_key_pk" PRIMARY KEY("scope","natural_key"),
	CONSTRAINT "operation_keys_idempotency_key_unique" UNIQUE("idempotency_key"),
	CONSTRAINT "operation_keys_status_check" CHECK ("operation_keys"."status" in ('pending', 'succeeded', 'failed'))
);
--> statement-breakpoint
CREATE TABLE "sync_cursors" (
	"run_id" text NOT NULL,
	"object_kind" text NOT NULL,
	"cursor" text,
	"done" boolean DEFAULT false NOT NULL,
	"seen" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "sync_cursors_run_id_object_kind_pk" PRIMARY KEY("run_id","object_kind")
);
--> statement-breakpoint
CREATE TABLE "sync_runs" (
	"id" text PRIMARY KEY NOT NULL,
	"since_at" timestamp with time zone NOT NULL,
	"status" text NOT NULL,
	"trigger" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	"requests" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"summary" jsonb,
	CONSTRAINT "sync_runs_status_check" CHECK ("sync_runs"."status" in ('running', 'finished', 'failed'))
);
--> statement-breakpoint
ALTER TABLE "sync_cursors" ADD CONSTRAINT "sync_cursors_run_id_sync_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."sync_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "operation_keys_result_id_idx" ON "operation_keys" USING btree ("result_id");