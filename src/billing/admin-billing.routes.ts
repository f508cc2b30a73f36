/**
 * Admin billing API under /api/admin (the admin guard of the /api/admin
 * context in src/http/app.ts: an admin session with CSRF, or an admin API key):
 * plans and prices, customers (cards: set default, detach), subscriptions (create, change plan with a proration
 * preview, cancel, pause, resume, coupon or promotion code; the coupons to pick from),
 * invoices and payments (refund). Thin: parse, call one operation, return its result. Retries: send the same
 * `Idempotency-Key` header and the operation reuses its stored Stripe idempotency key.
 */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { Deps } from '../deps.js';
import type { RouteContext } from '../route-context.js';
import { documented } from '../route-doc.js';
import { couponOptions, listCoupons } from './coupons/list-coupons.js';
import { customerDetail, getCustomerDetail } from './customers/get-customer-detail.js';
import { customerListParams, customerPage, listCustomers } from './customers/list-customers.js';
import { invoiceListParams, listInvoices } from './invoices/list-invoices.js';
import {
  detachCardInput,
  detachCardResult,
  detachPaymentMethod,
} from './payment-methods/detach-payment-method.js';
import {
  defaultCardResult,
  setDefaultCardInput,
  setDefaultPaymentMethod,
} from './payment-methods/set-default-payment-method.js';
import { listPayments, paymentListParams, paymentPage } from './payments/list-payments.js';
import { refundInput, refundPayment, refundResult } from './payments/refund-payment.js';
import { addPlanPrice } from './plans/add-plan-price.js';
import { createPlan } from './plans/create-plan.js';
import { createPlanInput, priceInput, updatePlanInput } from './plans/plan-input.js';
import { getPlan, listPlans, planList, planView } from './plans/plan-views.js';
import { setPlanActive } from './plans/set-plan-active.js';
import { updatePlan } from './plans/update-plan.js';
import {
  applyCoupon,
  applyCouponInput,
  couponResult,
  removeCoupon,
  removeCouponInput,
} from './subscriptions/apply-coupon.js';
import { cancelInput, cancelSubscription } from './subscriptions/cancel-subscription.js';
import { changePlanInput, changeSubscriptionPlan } from './subscriptions/change-subscription-plan.js';
import { createSubscription, createSubscriptionInput } from './subscriptions/create-subscription.js';
import {
  listSubscriptions,
  subscriptionListParams,
  subscriptionPage,
} from './subscriptions/list-subscriptions.js';
import { pauseInput, pauseSubscription } from './subscriptions/pause-subscription.js';
import { planChangePreview, previewInput, previewPlanChange } from './subscriptions/preview-plan-change.js';
import { resumeSubscription } from './subscriptions/resume-subscription.js';
import { subscriptionHistory, subscriptionHistoryOf } from './subscriptions/subscription-history.js';
import { getSubscription, subscriptionSnapshot, subscriptionView } from './subscriptions/subscription-ref.js';
import { createSubscriptionRoles } from '../accounts/roles/operation-roles.js';

const idParam = z.object({ id: z.string().min(1).max(100) });
const cardParams = z.object({ id: z.string().min(1).max(100), pm: z.string().min(1).max(100) });
const id = (params: unknown) => idParam.parse(params).id;

export const adminBillingRoutes: FastifyPluginAsync<{ deps: Deps; context: RouteContext }> = async (
  app,
  { deps, context },
) => {
  // Plans and prices
  app.get(
    '/plans',
    documented({ summary: 'List plans with their prices', response: planList }, async () => ({
      items: await listPlans(deps.db),
    })),
  );
  app.post(
    '/plans',
    documented(
      { summary: 'Create a plan with its prices', body: createPlanInput, response: planView, status: 201 },
      async (request, reply) => {
        const plan = await createPlan(
          deps,
          context.actorOf(request),
          createPlanInput.parse(request.body ?? {}),
        );
        return reply.status(201).send(plan);
      },
    ),
  );
  app.get(
    '/plans/:id',
    documented({ summary: 'A plan with its prices', params: idParam, response: planView }, async (request) =>
      getPlan(deps.db, id(request.params)),
    ),
  );
  app.patch(
    '/plans/:id',
    documented(
      {
        summary: "Edit a plan's name, description, role, trial or features",
        params: idParam,
        body: updatePlanInput,
        response: planView,
      },
      async (request) =>
        updatePlan(
          deps,
          context.actorOf(request),
          id(request.params),
          updatePlanInput.parse(request.body ?? {}),
        ),
    ),
  );
  app.post(
    '/plans/:id/prices',
    documented(
      {
        summary: 'Add a price to a plan (price changes are new prices)',
        params: idParam,
        body: priceInput,
        response: planView,
        status: 201,
      },
      async (request, reply) => {
        const plan = await addPlanPrice(
          deps,
          context.actorOf(request),
          id(request.params),
          priceInput.parse(request.body ?? {}),
        );
        return reply.status(201).send(plan);
      },
    ),
  );
  app.post(
    '/plans/:id/activate',
    documented({ summary: 'Activate a plan', params: idParam, response: planView }, async (request) =>
      setPlanActive(deps, context.actorOf(request), id(request.params), true),
    ),
  );
  app.post(
    '/plans/:id/deactivate',
    documented(
      { summary: 'Deactivate (archive) a plan: no new subscriptions', params: idParam, response: planView },
      async (request) => setPlanActive(deps, context.actorOf(request), id(request.params), false),
    ),
  );

  // Customers
  app.get(
    '/customers',
    documented(
      {
        summary: 'List customers (search by email, name or Stripe id)',
        query: customerListParams,
        response: customerPage,
      },
      async (request) => listCustomers(deps.db, customerListParams.parse(request.query)),
    ),
  );

  app.get(
    '/customers/:id',
    documented(
      {
        summary: "A customer's billing history: cards, subscriptions, invoices, payments, refunds, disputes",
        params: idParam,
        response: customerDetail,
      },
      async (request) => getCustomerDetail(deps.db, id(request.params)),
    ),
  );
  app.post(
    '/customers/:id/payment-methods/:pm/default',
    documented(
      {
        summary: "Make one of the customer's cards the default Stripe charges for invoices",
        params: cardParams,
        body: setDefaultCardInput,
        response: defaultCardResult,
      },
      async (request) => {
        const p = cardParams.parse(request.params);
        return setDefaultPaymentMethod(
          deps,
          context.actorOf(request),
          p.id,
          p.pm,
          setDefaultCardInput.parse(request.body ?? {}),
        );
      },
    ),
  );
  app.post(
    '/customers/:id/payment-methods/:pm/detach',
    documented(
      {
        summary:
          "Detach a customer's card (the default card of a customer with charging subscriptions needs confirmNoDefault)",
        params: cardParams,
        body: detachCardInput,
        response: detachCardResult,
      },
      async (request) => {
        const p = cardParams.parse(request.params);
        return detachPaymentMethod(
          deps,
          context.actorOf(request),
          p.id,
          p.pm,
          detachCardInput.parse(request.body ?? {}),
        );
      },
    ),
  );

  // Subscriptions
  app.get(
    '/subscriptions',
    documented(
      { summary: 'List subscriptions', query: subscriptionListParams, response: subscriptionPage },
      async (request) => listSubscriptions(deps.db, subscriptionListParams.parse(request.query)),
    ),
  );
  app.post(
    '/subscriptions',
    documented(
      {
        summary: "Create a subscription for a customer (or a user's customer) on an active catalogue price",
        body: createSubscriptionInput,
        response: subscriptionView,
        status: 201,
      },
      async (request, reply) => {
        const created = await createSubscription(
          deps,
          context.actorOf(request),
          createSubscriptionInput.parse(request.body ?? {}),
          createSubscriptionRoles(deps),
        );
        return reply.status(201).send(created);
      },
    ),
  );
  app.get(
    '/subscriptions/:id',
    documented(
      { summary: 'A subscription with its customer and plan', params: idParam, response: subscriptionView },
      async (request) => getSubscription(deps.db, id(request.params)),
    ),
  );
  app.get(
    '/subscriptions/:id/history',
    documented(
      {
        summary: "A subscription's items, discount, invoices, MRR movements and timeline of events",
        params: idParam,
        response: subscriptionHistory,
      },
      async (request) => subscriptionHistoryOf(deps.db, id(request.params)),
    ),
  );
  app.get(
    '/subscriptions/:id/change-preview',
    documented(
      {
        summary: 'The proration a plan change would produce (Stripe preview invoice)',
        params: idParam,
        query: previewInput,
        response: planChangePreview,
      },
      async (request) => previewPlanChange(deps, id(request.params), previewInput.parse(request.query)),
    ),
  );
  app.post(
    '/subscriptions/:id/change-plan',
    documented(
      {
        summary: "Change a subscription's price (pass the preview's prorationDate)",
        params: idParam,
        body: changePlanInput,
        response: subscriptionSnapshot,
      },
      async (request) =>
        changeSubscriptionPlan(
          deps,
          context.actorOf(request),
          id(request.params),
          changePlanInput.parse(request.body ?? {}),
        ),
    ),
  );
  app.post(
    '/subscriptions/:id/cancel',
    documented(
      {
        summary: 'Cancel now, at period end, or undo a scheduled cancellation',
        params: idParam,
        body: cancelInput,
        response: subscriptionSnapshot,
      },
      async (request) =>
        cancelSubscription(
          deps,
          context.actorOf(request),
          id(request.params),
          cancelInput.parse(request.body ?? {}),
        ),
    ),
  );
  app.get(
    '/coupons',
    documented(
      {
        summary:
          'Coupons still redeemable and active promotion codes, read from Stripe (for the coupon picker)',
        response: couponOptions,
      },
      async () => listCoupons(deps),
    ),
  );
  app.post(
    '/subscriptions/:id/coupon',
    documented(
      {
        summary: 'Apply a coupon to a subscription (its discounts become that coupon)',
        params: idParam,
        body: applyCouponInput,
        response: couponResult,
      },
      async (request) =>
        applyCoupon(
          deps,
          context.actorOf(request),
          id(request.params),
          applyCouponInput.parse(request.body ?? {}),
        ),
    ),
  );
  app.post(
    '/subscriptions/:id/coupon/remove',
    documented(
      {
        summary: "Remove a subscription's coupon",
        params: idParam,
        body: removeCouponInput,
        response: couponResult,
      },
      async (request) =>
        removeCoupon(
          deps,
          context.actorOf(request),
          id(request.params),
          removeCouponInput.parse(request.body ?? {}),
        ),
    ),
  );
  app.post(
    '/subscriptions/:id/pause',
    documented(
      {
        summary: "Pause a subscription's collection",
        params: idParam,
        body: pauseInput,
        response: subscriptionSnapshot,
      },
      async (request) =>
        pauseSubscription(
          deps,
          context.actorOf(request),
          id(request.params),
          pauseInput.parse(request.body ?? {}),
        ),
    ),
  );
  app.post(
    '/subscriptions/:id/resume',
    documented(
      {
        summary: "Resume a paused subscription's collection",
        params: idParam,
        response: subscriptionSnapshot,
      },
      async (request) => resumeSubscription(deps, context.actorOf(request), id(request.params)),
    ),
  );

  // Invoices and payments
  app.get('/invoices', async (request) => listInvoices(deps.db, invoiceListParams.parse(request.query)));
  app.get(
    '/payments',
    documented(
      { summary: 'List payments', query: paymentListParams, response: paymentPage },
      async (request) => listPayments(deps.db, paymentListParams.parse(request.query)),
    ),
  );
  app.post(
    '/payments/:id/refund',
    documented(
      {
        summary: 'Refund a payment in full (no amount) or in part',
        params: idParam,
        body: refundInput,
        response: refundResult,
        status: 201,
      },
      async (request, reply) => {
        const refund = await refundPayment(
          deps,
          context.actorOf(request),
          id(request.params),
          refundInput.parse(request.body ?? {}),
        );
        return reply.status(201).send(refund);
      },
    ),
  );
};
