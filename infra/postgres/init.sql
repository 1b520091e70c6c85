-- PostgreSQL's roles and databases, for compose and the Helm chart alike. The postgres image
-- runs this once, as the superuser with psql, when its volume is new.
--
-- The superuser keeps no password: it signs in over the server's local socket only
-- (`docker compose exec postgres psql -U postgres`, `kubectl exec deploy/postgres -- psql -U
-- postgres`), never over the network, so the POSTGRES_PASSWORD initdb needs opens nothing.
-- This comes first, so an init that stops half-way leaves no password behind either.
ALTER ROLE CURRENT_USER PASSWORD NULL;

-- A role per service (its name with `_` for `-`), which owns the service's database and
-- nothing else: its migrations create their tables there, and it cannot connect to another
-- service's database. None is a superuser. Each password comes from this container's
-- environment (<ROLE>_DB_PASSWORD, upper case); a variable that is missing stops the init.
-- The healthchecks wait for as many databases as there are CREATE DATABASE lines here;
-- infra/dev/services.ts names the databases.
\getenv user_service_password USER_SERVICE_DB_PASSWORD
CREATE ROLE user_service LOGIN PASSWORD :'user_service_password';
CREATE DATABASE users OWNER user_service;
REVOKE ALL ON DATABASE users FROM PUBLIC;

\getenv order_service_password ORDER_SERVICE_DB_PASSWORD
CREATE ROLE order_service LOGIN PASSWORD :'order_service_password';
CREATE DATABASE orders OWNER order_service;
REVOKE ALL ON DATABASE orders FROM PUBLIC;

\getenv payment_service_password PAYMENT_SERVICE_DB_PASSWORD
CREATE ROLE payment_service LOGIN PASSWORD :'payment_service_password';
CREATE DATABASE payments OWNER payment_service;
REVOKE ALL ON DATABASE payments FROM PUBLIC;
