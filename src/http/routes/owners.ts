import { Router } from 'express';
import { z } from 'zod';
import type { TokenVerifier } from '../../auth/tokens.ts';
import type { Database } from '../../store/db.ts';
import { listApplications } from '../../store/read/applications.ts';
import { listingsOfOwner } from '../../store/read/listings.ts';
import { assertCanSee, authenticate, principalOf, viewingFor } from '../auth.ts';
import { encodeTimeCursor } from '../cursor.ts';
import { identifier, limit, parseParams, timeCursor } from '../params.ts';
import { applicationView, listingView } from '../views.ts';
import { applicationListQuery } from './applications.ts';
import { GET_ONLY, sendPage } from './shared.ts';

export const ownerPath = z.object({ ownerId: identifier.describe('Owner (applicant) id.') });
export const ownerListingsQuery = z.object({ limit, cursor: timeCursor });

export function ownerRoutes(deps: { db: Database; verifier: TokenVerifier; reviewDeadlineHours: number }): Router {
  const router = Router();
  const auth = authenticate(deps.verifier);

  router.route('/owners/:ownerId/applications').get(auth, async (req, res) => {
    const { ownerId } = parseParams(ownerPath, req.params, 'path');
    const query = parseParams(applicationListQuery, req.query, 'query');
    assertCanSee(principalOf(res), ownerId, 'owner\'s data');
    const page = await listApplications(deps.db, { ...query, applicantId: ownerId }, { limit: query.limit, after: query.cursor });
    const viewing = viewingFor(res, deps.reviewDeadlineHours);
    sendPage(res, page, ({ application, name }) => applicationView(application, name, viewing), encodeTimeCursor);
  }).all(GET_ONLY);

  router.route('/owners/:ownerId/listings').get(auth, async (req, res) => {
    const { ownerId } = parseParams(ownerPath, req.params, 'path');
    const query = parseParams(ownerListingsQuery, req.query, 'query');
    assertCanSee(principalOf(res), ownerId, 'owner\'s data');
    const page = await listingsOfOwner(deps.db, ownerId, { limit: query.limit, after: query.cursor });
    sendPage(res, page, listingView, encodeTimeCursor);
  }).all(GET_ONLY);

  return router;
}
