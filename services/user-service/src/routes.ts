import {
  clientGoneSignal,
  errorProblems,
  parseInput,
  problemFor,
  storableText,
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

/** The domain's errors as problems (RFC 9457); anything else becomes a 500. */
export const mapUserError = errorProblems([
  problemFor(EmailTaken, {
    status: 409,
    type: 'email-taken',
    title: 'Email already registered',
    extra: (error) => ({ errors: [{ field: 'email', pointer: '/email', detail: error.message }] }),
  }),
  problemFor(WorkPoolFull, {
    status: 503,
    type: 'busy',
    title: 'Too busy to take this request now',
    detail: (error) =>
      `Too many sign-ups are in progress; try again in ${error.retryAfterSeconds} s.`,
    headers: (error) => ({ 'retry-after': String(error.retryAfterSeconds) }),
  }),
  // Nobody reads this answer: the client has gone. 499 keeps it out of the 5xx that page.
  problemFor(WorkAbandoned, {
    status: 499,
    type: 'client-closed-request',
    title: 'The client closed the request',
  }),
  problemFor(UserNotFound, { status: 404, type: 'user-not-found', title: 'User not found' }),
]);
