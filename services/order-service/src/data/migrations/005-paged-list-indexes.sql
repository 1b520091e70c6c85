-- Lists are read a page at a time, each page from where the last one ended: rows after a
-- (time, id) position, in (time, id) order. With the id in the index, a page reads only its own
-- rows however long the list, and orders placed at the same instant keep one order.
drop index orders_user_id;
create index orders_user_id_created_at on orders (user_id, created_at, id);

drop index orders_pending_created_at;
create index orders_pending_created_at on orders (created_at, id) where status = 'pending';

drop index orders_cancelled_updated_at;
create index orders_cancelled_updated_at on orders (updated_at, id)
  where status = 'cancelled' and payment_id is null;
