import { writeFileSync } from 'node:fs';
import { exhibitionDetails, infoChangeHours, performanceDetails, restaurantDetails } from '../test/fixtures/details.ts';

// The CLI's example details are the test fixtures, so the README walkthrough uses input the tests prove valid.
const examples = { restaurant: restaurantDetails(), performance: performanceDetails(), exhibition: exhibitionDetails(), 'info-change-hours': infoChangeHours() };
for (const [name, details] of Object.entries(examples)) writeFileSync(new URL(`../examples/${name}.json`, import.meta.url), `${JSON.stringify(details, null, 2)}\n`);
