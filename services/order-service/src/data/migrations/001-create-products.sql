create table products (
  sku text primary key,
  name text not null,
  price_cents integer not null check (price_cents > 0),
  currency text not null default 'USD'
);

insert into products (sku, name, price_cents) values
  ('SKU-TEE-001', 'Sightline T-shirt', 2500),
  ('SKU-MUG-002', 'Trace mug', 1400),
  ('SKU-STK-003', 'Span sticker pack', 500),
  ('SKU-HOD-004', 'Observability hoodie', 5900),
  ('SKU-CAP-005', 'Exemplar cap', 1900);
