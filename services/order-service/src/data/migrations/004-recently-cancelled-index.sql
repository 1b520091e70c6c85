-- The reconciler looks again at orders cancelled unpaid in the last minutes, in case a late
-- charge succeeded after all; this keeps that look from reading the whole table.
create index orders_cancelled_updated_at on orders (updated_at)
  where status = 'cancelled' and payment_id is null;
