-- An order that can no longer be paid is `cancelled`: it was never charged, and the client's
-- Idempotency-Key retry (the only thing holding its card) did not come in time, or it had no key.
alter table orders drop constraint orders_status_check;
alter table orders add constraint orders_status_check
  check (status in ('pending', 'paid', 'payment_declined', 'cancelled'));

-- The reconciler and the pending-order gauges read only pending orders, oldest first.
create index orders_pending_created_at on orders (created_at) where status = 'pending';
