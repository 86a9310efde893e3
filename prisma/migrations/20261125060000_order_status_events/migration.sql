-- Live order status: every status change is announced on the "order_status" channel from inside
-- the transaction that makes it (worker fulfilment, dead-letter FAILED, cancellation), so
-- listeners hear of it exactly when it commits and never of a change that rolled back.
CREATE FUNCTION orders_notify_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify(
    'order_status',
    json_build_object('id', NEW.id, 'userId', NEW.user_id, 'status', NEW.status)::text
  );
  RETURN NULL;
END;
$$;

CREATE TRIGGER "orders_notify_status"
  AFTER UPDATE OF "status" ON "orders"
  FOR EACH ROW WHEN (OLD."status" IS DISTINCT FROM NEW."status")
  EXECUTE FUNCTION orders_notify_status();
