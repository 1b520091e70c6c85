-- An Idempotency-Key is a user's name for one order attempt, and two users may choose the same
-- name: a key is unique per user, not across all users. Keys were unique across all users
-- before, so existing orders already satisfy the new constraint.
--
-- Orders placed before the key was required may have none. They are kept as they are: a unique
-- constraint never compares nulls, so any number of them may stay, and the reconciler treats
-- such an order as one its client cannot retry.
alter table orders add constraint orders_user_id_idempotency_key_key
  unique (user_id, idempotency_key);
alter table orders drop constraint orders_idempotency_key_key;
