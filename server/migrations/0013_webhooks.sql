-- Webhooks (issue #16): the endpoints superusers register, and one delivery row per
-- event and endpoint, written in the transaction of the change that caused the event
-- (an outbox: a committed change always has its deliveries, a rolled-back one never).

CREATE TABLE "webhook_endpoint" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
  "url" text NOT NULL,
  "description" varchar(500),
  -- NULL: every event type.
  "event_types" text[],
  "enabled" boolean DEFAULT true NOT NULL,
  -- Why the service disabled it (gone: the receiver answered 410; failing: 5 days of failures); NULL otherwise.
  "disabled_reason" varchar(16),
  -- whsec_ + base64 of 32 random bytes. The previous secret still signs until it expires (a rotation's overlap).
  "secret" text NOT NULL,
  "previous_secret" text,
  "previous_secret_expires_at" timestamp with time zone,
  -- Start of the current run of failed attempts; NULL after a success.
  "failing_since" timestamp with time zone,
  "created_at" timestamp with time zone DEFAULT now() NOT NULL,
  "updated_at" timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE "webhook_delivery" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
  -- Commit order, as far as insert order gives it: deliveries to one endpoint go out in this order.
  "seq" bigserial NOT NULL,
  "endpoint_id" uuid NOT NULL REFERENCES "webhook_endpoint"("id") ON DELETE CASCADE,
  -- The webhook-id header: one per event, the same for every endpoint and every attempt.
  "message_id" varchar(64) NOT NULL,
  "event_type" varchar(64) NOT NULL,
  -- The exact body signed and sent, so every attempt carries the same bytes.
  "payload" text NOT NULL,
  -- pending: to deliver; delivered; failed: gave up (or 410).
  "status" varchar(16) DEFAULT 'pending' NOT NULL,
  "attempts" integer DEFAULT 0 NOT NULL,
  "next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
  -- A worker's claim; expires so that a crashed worker's delivery is made by another.
  "locked_until" timestamp with time zone,
  "last_attempt_at" timestamp with time zone,
  "last_status_code" integer,
  "last_error" text,
  "delivered_at" timestamp with time zone,
  "created_at" timestamp with time zone DEFAULT now() NOT NULL
);
CREATE INDEX "webhook_delivery_due_idx" ON "webhook_delivery" ("endpoint_id", "seq") WHERE "status" = 'pending';
CREATE INDEX "webhook_delivery_endpoint_idx" ON "webhook_delivery" ("endpoint_id", "created_at" DESC, "id" DESC);
CREATE INDEX "webhook_delivery_created_at_idx" ON "webhook_delivery" ("created_at");

-- Wake the delivery workers of every process when an event commits (as 0007 does for mail).
-- An event with no subscribed endpoint inserts no row and wakes no one.
CREATE FUNCTION roster_notify_webhooks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM queued) THEN
    PERFORM pg_notify('roster_webhooks', '');
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER webhook_delivery_queued_notify AFTER INSERT ON "webhook_delivery"
  REFERENCING NEW TABLE AS queued FOR EACH STATEMENT EXECUTE FUNCTION roster_notify_webhooks();
