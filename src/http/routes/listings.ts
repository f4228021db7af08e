import { Router } from 'express';
import { z } from 'zod';
import type { TokenVerifier } from '../../auth/tokens.ts';
import type { Database } from '../../store/db.ts';
import { findListing } from '../../store/read/listings.ts';
import { assertCanSee, authenticate, principalOf } from '../auth.ts';
import { parseParams, uuid } from '../params.ts';
import { notFound } from '../problem.ts';
import { listingView } from '../views.ts';
import { GET_ONLY } from './shared.ts';

export const listingPath = z.object({ id: uuid.describe('Listing id.') });

export function listingRoutes(deps: { db: Database; verifier: TokenVerifier }): Router {
  const router = Router();
  router.route('/listings/:id').get(authenticate(deps.verifier), async (req, res) => {
    const { id } = parseParams(listingPath, req.params, 'path');
    const listing = await findListing(deps.db, id);
    if (listing === null) throw notFound(`Listing ${id} does not exist.`);
    assertCanSee(principalOf(res), listing.ownerId, 'listing');
    res.json(listingView(listing));
  }).all(GET_ONLY);
  return router;
}
