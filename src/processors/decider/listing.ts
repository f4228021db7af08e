import { specificAfterChange } from './registration-data.ts';
import type { DomainEvent, Listing } from '../../domain/types.ts';

export type ApprovedEvent = Extract<DomainEvent, { type: 'ApplicationApproved' }>;

export interface ListingMeta {
  applicationId: string;
  at: number;
}

/**
 * The listing an approval produces: a new one for NEW_LISTING, the next version of the existing
 * one for INFO_CHANGE. Like evolve it trusts the decider's checks and throws only when the
 * input could not have come from them (a programming error, not user input).
 */
export function evolveListing(listing: Listing | null, approved: ApprovedEvent, meta: ListingMeta): Listing {
  const { application } = approved;
  const { details } = application;
  if (application.kind === 'NEW_LISTING') {
    if (details.type !== 'LISTING') throw new Error(`evolveListing: NEW_LISTING ${meta.applicationId} carries ${details.type} details`);
    // The listing id derives from the application id, so an existing one means a double approval.
    if (listing !== null) throw new Error(`evolveListing: listing ${listing.id} already exists for NEW_LISTING ${meta.applicationId}`);
    return {
      id: approved.listingId,
      ownerId: application.applicantId,
      contentType: application.contentType,
      name: details.name,
      description: details.description,
      contact: details.contact,
      address: details.address,
      businessHours: details.businessHours,
      specific: details.specific,
      businessRegistration: details.businessRegistration,
      sourceApplicationId: meta.applicationId,
      version: 1,
      createdAt: meta.at,
      updatedAt: meta.at,
    };
  }
  if (details.type !== 'INFO_CHANGE') throw new Error(`evolveListing: INFO_CHANGE ${meta.applicationId} carries ${details.type} details`);
  if (listing === null) throw new Error(`evolveListing: INFO_CHANGE ${meta.applicationId} for missing listing ${approved.listingId}`);
  if (listing.id !== approved.listingId) {
    throw new Error(`evolveListing: INFO_CHANGE ${meta.applicationId} is for listing ${approved.listingId}, got ${listing.id}`);
  }
  return {
    ...listing,
    // null in an INFO_CHANGE means "keep what the listing has".
    contact: details.contact ?? listing.contact,
    address: details.address ?? listing.address,
    businessHours: details.businessHours ?? listing.businessHours,
    specific: specificAfterChange(listing.specific, details),
    sourceApplicationId: meta.applicationId,
    version: listing.version + 1,
    updatedAt: meta.at,
  };
}
