/**
 * The story factory: one way to build Stripe-shaped stories (customers, subscriptions, invoices, payments and the
 * events about them) for the integration tests and the benchmarks.
 *
 *   const sub = subscriptionObject({ id: 'sub_1', customer: 'cus_1', status: 'active', price: PRICES.pro,
 *                              periodStart: T0, periodEnd: T0 + 30 * DAY });
 *   await w.apply(event('customer.subscription.created', sub, T0));
 *
 * - fixtures.ts: the captured objects and events ("from fixture": `fixture`, `IDS`, `eventFromFixture`);
 * - objects.ts: typed builders (`customerObject`, `subscriptionObject`, `discountObject`, `invoiceObject`,
 *   `paymentIntentObject`, `chargeObject`);
 * - events.ts: the envelope (`event(type, object, created, { id, previous_attributes })`, `eventId`);
 * - webhooks.ts: signing and posting (`signatureHeader`, `postWebhook`);
 * - lifecycle.ts (imported on its own): a realistic multi-customer event stream built with the above;
 * - world.ts (imported on its own: it opens databases): the world the events are applied in — `storyWorld`, the
 *   catalogues, users, deliver/drain/apply/applyEach;
 * - app.ts (imported on its own): the app they are posted to — `storyApp`.
 */
export * from './fixtures.js';
export * from './objects.js';
export * from './events.js';
export * from './webhooks.js';
