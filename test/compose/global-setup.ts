/**
 * `npm run test:compose` (harness/compose-run/run.ts) has started docker-compose.yml with
 * `docker compose up --wait` before these tests, and stops it after them. The tests reach it
 * as a user does, through the ports compose publishes on 127.0.0.1 (the same as the native
 * stack's, so test/stack's helpers serve both). The Loki in compose is a stand-in
 * (harness/stand-ins) that keeps what the collector delivers and lists it at /records.
 */
import { pin, readPins } from '../../infra/stack/pins.ts';

export function globalSetup(): void {
  if (!process.env.DOCKER_HOST && !process.env.SIGHTLINE_COMPOSE_TESTS)
    console.log('run these with `npm run test:compose`, which starts the compose stack');
  process.env.LOKI_STAND_IN_URL = `http://127.0.0.1:${pin(readPins(), 'LOKI_PORT')}`;
}
