import { parseInput, problemType, storableText, type ErrorMapper } from '@sightline/service';
import { Router } from 'express';
import { z } from 'zod';
import { ExampleNotFound } from './domain/example.ts';
import type { ExampleUseCases } from './domain/use-cases.ts';

const NewExampleBody = z.object({
  name: storableText().trim().min(1).max(200),
});

const ExampleIdParams = z.object({ id: z.uuid() });

/** Thin on purpose: parse the input, call one use case, map the result. */
export function exampleRoutes(useCases: ExampleUseCases): Router {
  const router = Router();

  router.post('/api/examples', async (request, response) => {
    const example = await useCases.create(parseInput(NewExampleBody, request.body));
    response.status(201).location(`/api/examples/${example.id}`).json(example);
  });

  router.get('/api/examples/:id', async (request, response) => {
    const { id } = parseInput(ExampleIdParams, request.params, 'path');
    response.json(await useCases.get(id));
  });

  return router;
}

/** The domain's errors as problems (RFC 9457); anything else becomes a 500. */
export const mapExampleError: ErrorMapper = (error) => {
  if (error instanceof ExampleNotFound) {
    return {
      type: problemType('example-not-found'),
      title: 'Not found',
      status: 404,
      detail: error.message,
    };
  }
  return undefined;
};
