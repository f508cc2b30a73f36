CREATE TABLE "mrr_customer_days" (
	"customer_id" uuid NOT NULL,
	"currency" text NOT NULL,
	"plan_id" uuid,
	"day" timestamp with time zone NOT NULL,
	"month" timestamp with time zone NOT NULL,
	"delta_minor" bigint NOT NULL,
	"mrr_before_minor" bigint NOT NULL,
	"mrr_after_minor" bigint NOT NULL,
	"kind" text NOT NULL,
	"same_window" boolean NOT NULL,
	"next_day" timestamp with time zone,
	CONSTRAINT "mrr_customer_days_uq" UNIQUE NULLS NOT DISTINCT("customer_id","currency","plan_id","day")
);
--> statement-breakpoint
ALTER TABLE "mrr_customer_days" ADD CONSTRAINT "mrr_customer_days_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mrr_customer_days" ADD CONSTRAINT "mrr_customer_days_plan_id_plans_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."plans"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "mrr_customer_days_scope_day_idx" ON "mrr_customer_days" USING btree ("plan_id","currency","day");