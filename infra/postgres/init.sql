-- A database per service, as natively (infra/dev/services.ts names them). The postgres
-- image runs this once, when its volume is new.
CREATE DATABASE users;
CREATE DATABASE orders;
CREATE DATABASE payments;
