CREATE TABLE "payment_attempt_months" (
	"currency" text NOT NULL,
	"month" timestamp with time zone NOT NULL,
	"plan_id" uuid,
	"decline_code" text,
	"card_brand" text,
	"card_country" text,
	"slot" smallint NOT NULL,
	"attempts" bigint NOT NULL,
	"failures" bigint NOT NULL,
	CONSTRAINT "payment_attempt_months_uq" UNIQUE NULLS NOT DISTINCT("currency","month","plan_id","decline_code","card_brand","card_country","slot")
);
