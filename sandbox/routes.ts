/** Every /v1 route, one list per resource family. */
import type { Route } from './router.js';
import { catalogRoutes } from './resources/catalog.js';
import { checkoutRoutes } from './resources/checkout.js';
import { couponRoutes } from './resources/coupons.js';
import { customerRoutes } from './resources/customers.js';
import { eventRoutes } from './resources/events.js';
import { invoiceRoutes } from './resources/invoices.js';
import { paymentMethodRoutes } from './resources/payment-methods.js';
import { paymentRoutes } from './resources/payments.js';
import { searchRoutes } from './resources/search.js';
import { subscriptionRoutes } from './resources/subscriptions.js';

export const allRoutes: Route[] = [
  // search paths first: `/v1/products/search` must not match `/v1/products/:id`
  ...searchRoutes,
  ...customerRoutes,
  ...catalogRoutes,
  ...paymentMethodRoutes,
  ...subscriptionRoutes,
  ...invoiceRoutes,
  ...paymentRoutes,
  ...couponRoutes,
  ...eventRoutes,
  ...checkoutRoutes,
];
