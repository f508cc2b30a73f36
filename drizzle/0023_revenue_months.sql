CREATE TABLE "revenue_months" (
	"currency" text NOT NULL,
	"plan_id" uuid,
	"month" timestamp with time zone NOT NULL,
	"slot" smallint NOT NULL,
	"invoices_paid" bigint NOT NULL,
	"collected_minor" bigint NOT NULL,
	CONSTRAINT "revenue_months_uq" UNIQUE NULLS NOT DISTINCT("currency","plan_id","month","slot")
);
