-- A database per service, as natively (infra/dev/services.ts names them). The postgres
-- image runs this once, when its volume is new; its healthcheck in docker-compose.yml waits
-- for as many databases as there are CREATE DATABASE lines here.
CREATE DATABASE users;
CREATE DATABASE orders;
CREATE DATABASE payments;
