import { join } from 'node:path';
import { pin, readPins, stackCache } from '../stack/pins.ts';

/**
 * Docker Compose v2, built from its Go module into the stack cache (compose-install.ts of the
 * compose run): where the compose run and `npm run bench:compose` both find it.
 */
export function composeBinary(): string {
  return join(
    stackCache(),
    'docker-compose',
    pin(readPins(), 'DOCKER_COMPOSE_VERSION'),
    'docker-compose',
  );
}
