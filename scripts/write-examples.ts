import { writeFileSync } from 'node:fs';
import { businessRegistration, exhibitionDetails, infoChangeHours, performanceDetails, restaurantDetails } from '../test/fixtures/details.ts';

// The CLI's example details are the test fixtures, so the README walkthrough uses input the tests
// prove valid; with schema v2's registration data filled in, as the console sends it.
const registration = businessRegistration({ number: '220-81-62517' });
const examples = {
  restaurant: restaurantDetails({ specific: { restaurantType: 'KOREAN', ageRating: 'ALL' }, businessRegistration: registration }),
  performance: performanceDetails({
    specific: { performanceType: 'MUSICAL', cast: ['정성화', '양준모'], ticketWindow: { opensAt: '2025-02-01T10:00', closesAt: '2025-05-30T20:00' } },
    businessRegistration: registration,
  }),
  exhibition: exhibitionDetails({
    specific: {
      region: 'SEOUL', artists: ['James Turrell'], dailyHours: { opensAt: '10:00', closesAt: '18:00', overnight: false },
      ticketWindow: { opensAt: '2025-03-01T09:00', closesAt: '2025-08-31T17:00' }, ageRating: 'ALL',
    },
    businessRegistration: registration,
  }),
  'info-change-hours': infoChangeHours(),
};
for (const [name, details] of Object.entries(examples)) writeFileSync(new URL(`../examples/${name}.json`, import.meta.url), `${JSON.stringify(details, null, 2)}\n`);
