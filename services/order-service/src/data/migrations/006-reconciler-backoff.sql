-- An order the reconciler could not settle yet (its charge still in progress, or waiting for its
-- client's retry) is looked at again only after a wait that doubles each time: `checks` counts
-- the looks so far, `next_check_at` is the earliest time of the next one (null: at once).
alter table orders
  add column checks integer not null default 0,
  add column next_check_at timestamptz;
