-- An order is created `pending` before its payment is attempted, then becomes `paid` or
-- `payment_declined`. If payment-service cannot be reached it stays `pending`; repeating the
-- request with the same Idempotency-Key attempts the payment again.
create table orders (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null,
  status text not null check (status in ('pending', 'paid', 'payment_declined')),
  total_cents integer not null check (total_cents > 0),
  currency text not null,
  payment_id uuid,
  idempotency_key text unique,
  -- Hash of what was asked for, so a key reused for a different order is refused.
  request_fingerprint text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index orders_user_id on orders (user_id, created_at);

create table order_items (
  order_id uuid not null references orders (id) on delete cascade,
  line integer not null,
  sku text not null references products (sku),
  quantity integer not null check (quantity > 0),
  unit_price_cents integer not null,
  primary key (order_id, line)
);
