-- The card provider's ledger, not payment-service's record. A real provider keeps this on its
-- side of the network; the provider here is simulated in-process (domain/card-provider.ts), so
-- its ledger lives in this database, in a table of its own that only the provider reads and
-- writes. It outlives payment-service's restarts, as a provider's books outlive its callers.
--
-- One row per idempotency key, written when the card is charged or declined: a charge whose key
-- is already here gets the recorded outcome back and charges nothing; a key that is not here was
-- never charged. `reference` is the merchant's own reference the charge carried (the payment
-- attempt that asked), as a provider keeps it to answer "which of your requests was this?".
create table card_provider_ledger (
  idempotency_key text primary key,
  outcome text not null check (outcome in ('charged', 'declined')),
  decline_reason text,
  amount_cents integer not null check (amount_cents > 0),
  currency text not null,
  reference text not null,
  created_at timestamptz not null default now()
);
