import {
  clientGoneSignal,
  parseInput,
  problemType,
  storableText,
  type ErrorMapper,
} from '@sightline/service';
import { Router } from 'express';
import { z } from 'zod';
import { EmailTaken, UserNotFound } from './domain/user.ts';
import type { Users } from './domain/users.ts';
import { WorkAbandoned, WorkPoolFull } from './domain/work-pool.ts';

const NewUserBody = z.object({
  email: z.email().max(254),
  name: storableText().trim().min(1).max(200),
  password: z.string().min(8).max(200),
});

const UserIdParams = z.object({ id: z.uuid() });

export function userRoutes(users: Users): Router {
  const router = Router();

  router.post('/api/users', async (request, response) => {
    const input = parseInput(NewUserBody, request.body);
    const user = await users.register(input, clientGoneSignal(response));
    response.status(201).location(`/api/users/${user.id}`).json(user);
  });

  router.get('/api/users/:id', async (request, response) => {
    const { id } = parseInput(UserIdParams, request.params, 'path');
    response.json(await users.get(id));
  });

  // No `GET /api/users` listing everyone, not even internally: nothing in the system needs
  // one, and a route that pages through every user's email is exactly what someone who got
  // past the gateway would look for. Add a search that a caller is entitled to when a use
  // case needs it.

  return router;
}

export const mapUserError: ErrorMapper = (error) => {
  if (error instanceof EmailTaken) {
    return {
      type: problemType('email-taken'),
      title: 'Email already registered',
      status: 409,
      detail: error.message,
      errors: [{ field: 'email', pointer: '/email', detail: error.message }],
    };
  }
  if (error instanceof WorkPoolFull) {
    return {
      problem: {
        type: problemType('busy'),
        title: 'Too busy to take this request now',
        status: 503,
        detail: `Too many sign-ups are in progress; try again in ${error.retryAfterSeconds} s.`,
      },
      headers: { 'retry-after': String(error.retryAfterSeconds) },
    };
  }
  if (error instanceof WorkAbandoned) {
    // Nobody reads this answer: the client has gone. 499 keeps it out of the 5xx that page.
    return {
      type: problemType('client-closed-request'),
      title: 'The client closed the request',
      status: 499,
      detail: error.message,
    };
  }
  if (error instanceof UserNotFound) {
    return {
      type: problemType('user-not-found'),
      title: 'User not found',
      status: 404,
      detail: error.message,
    };
  }
  return undefined;
};
