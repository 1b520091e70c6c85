create table users (
  id uuid primary key default gen_random_uuid(),
  email text not null,
  name text not null,
  password_hash text not null,
  created_at timestamptz not null default now()
);

-- Emails are unique regardless of case: Alice@example.com and alice@example.com are one person.
create unique index users_email_key on users (lower(email));
