import { errorProblems, parseInput, problemFor, storableText } from '@sightline/service';
import { Router } from 'express';
import { z } from 'zod';
import { ExampleNotFound } from './domain/example.ts';
import type { Examples } from './domain/examples.ts';

const NewExampleBody = z.object({
  name: storableText().trim().min(1).max(200),
});

const ExampleIdParams = z.object({ id: z.uuid() });

/** Thin on purpose: parse the input, call one use case, map the result. */
export function exampleRoutes(examples: Examples): Router {
  const router = Router();

  router.post('/api/examples', async (request, response) => {
    const example = await examples.create(parseInput(NewExampleBody, request.body));
    response.status(201).location(`/api/examples/${example.id}`).json(example);
  });

  router.get('/api/examples/:id', async (request, response) => {
    const { id } = parseInput(ExampleIdParams, request.params, 'path');
    response.json(await examples.get(id));
  });

  return router;
}

/** The domain's errors as problems (RFC 9457); anything else becomes a 500. */
export const mapExampleError = errorProblems([
  problemFor(ExampleNotFound, { status: 404, type: 'example-not-found', title: 'Not found' }),
]);
