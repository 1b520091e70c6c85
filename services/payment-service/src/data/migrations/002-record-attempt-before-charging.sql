-- A payment is recorded as `processing` before the card provider is called, and updated with
-- the provider's answer afterwards, so no database connection or transaction is held while the
-- provider works. At most one attempt per order may be `processing` or `succeeded` at a time:
-- a concurrent duplicate finds the live attempt instead of charging again, and an order is
-- never paid twice. An attempt whose process died mid-call ends `abandoned`.
alter table payments drop constraint payments_status_check;
alter table payments add constraint payments_status_check
  check (status in ('processing', 'succeeded', 'declined', 'abandoned'));
alter table payments add column updated_at timestamptz not null default now();

drop index payments_one_success_per_order;
create unique index payments_one_live_per_order on payments (order_id)
  where status in ('processing', 'succeeded');
