import type * as Avro from './avro-types.ts';
import type { ApplicationDetails, ContentSpecific, ListingDetails } from '../domain/types.ts';

/**
 * avsc represents a union of records as `{ 'full.Name': value }`; the domain uses a `type`
 * field instead. These functions are the only place that knows both shapes of details.
 */

const NS = 'platform.backoffice.';

type WireDetails = Avro.SubmitApplication['details'];
type WireSpecific = Avro.ListingDetails['specific'];

export function specificFromWire(wire: WireSpecific): ContentSpecific {
  if ('platform.backoffice.RestaurantDetails' in wire) return { type: 'RESTAURANT', ...wire[`${NS}RestaurantDetails`] };
  if ('platform.backoffice.PerformanceDetails' in wire) return { type: 'PERFORMANCE', ...wire[`${NS}PerformanceDetails`] };
  return { type: 'EXHIBITION', ...wire[`${NS}ExhibitionDetails`] };
}

export function specificToWire(specific: ContentSpecific): WireSpecific {
  const { type, ...fields } = specific;
  switch (specific.type) {
    case 'RESTAURANT': return { [`${NS}RestaurantDetails`]: fields as Avro.RestaurantDetails } as WireSpecific;
    case 'PERFORMANCE': return { [`${NS}PerformanceDetails`]: fields as Avro.PerformanceDetails } as WireSpecific;
    default: return { [`${NS}ExhibitionDetails`]: fields as Avro.ExhibitionDetails } as WireSpecific;
  }
}

export function listingFromWire(wire: Avro.ListingDetails): ListingDetails {
  return {
    type: 'LISTING', name: wire.name, description: wire.description, contact: { ...wire.contact }, address: { ...wire.address },
    businessHours: wire.businessHours.map((day) => ({ day: day.day, hours: day.hours && { ...day.hours } })),
    specific: specificFromWire(wire.specific), businessRegistration: wire.businessRegistration && { ...wire.businessRegistration },
  };
}

export function listingToWire(details: Omit<ListingDetails, 'type'>): Avro.ListingDetails {
  return {
    name: details.name, description: details.description, contact: details.contact, address: details.address,
    businessHours: details.businessHours, specific: specificToWire(details.specific), businessRegistration: details.businessRegistration,
  };
}

export function detailsFromWire(wire: WireDetails): ApplicationDetails {
  if (`${NS}ListingDetails` in wire) return listingFromWire(wire[`${NS}ListingDetails`]);
  const change = wire[`${NS}InfoChangeDetails`];
  return {
    type: 'INFO_CHANGE', contact: change.contact && { ...change.contact }, address: change.address && { ...change.address },
    businessHours: change.businessHours && change.businessHours.map((day) => ({ day: day.day, hours: day.hours && { ...day.hours } })),
    cast: change.cast && [...change.cast], artists: change.artists && [...change.artists], region: change.region,
    dailyHours: change.dailyHours && { ...change.dailyHours }, ticketWindow: change.ticketWindow && { ...change.ticketWindow },
  };
}

export function detailsToWire(details: ApplicationDetails): WireDetails {
  if (details.type === 'LISTING') return { [`${NS}ListingDetails`]: listingToWire(details) } as WireDetails;
  const { type, ...change } = details;
  return { [`${NS}InfoChangeDetails`]: change } as WireDetails;
}
