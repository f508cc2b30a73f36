CREATE TABLE "subscription_states" (
	"stripe_subscription_id" text NOT NULL,
	"ordering_key" text NOT NULL,
	"valid_from" timestamp with time zone NOT NULL,
	"valid_to" timestamp with time zone,
	"status" text,
	"cancel_requested" boolean,
	"event_id" text NOT NULL,
	CONSTRAINT "subscription_states_stripe_subscription_id_ordering_key_valid_from_pk" PRIMARY KEY("stripe_subscription_id","ordering_key","valid_from")
);
