create table payments (
  id uuid primary key default gen_random_uuid(),
  order_id uuid not null,
  amount_cents integer not null check (amount_cents > 0),
  currency text not null,
  status text not null check (status in ('succeeded', 'declined')),
  decline_reason text,
  -- What we keep of a card: enough to recognise it on a receipt, never enough to charge it.
  card_brand text not null,
  card_last4 char(4) not null,
  created_at timestamptz not null default now()
);

create index payments_order_id on payments (order_id);

-- At most one successful payment per order, whatever happens upstream.
create unique index payments_one_success_per_order on payments (order_id) where status = 'succeeded';
