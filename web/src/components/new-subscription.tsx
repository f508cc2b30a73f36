/**
 * Create a subscription for a customer on an active catalogue price: it charges the customer's default card at
 * once (without one it starts `incomplete`), so the dialog shows the price and what is charged before confirming.
 */
import { useState } from 'react';
import { api } from '../api/client.js';
import { useApi } from '../api/use-api.js';
import { money } from '../lib/format.js';
import { navigate } from '../lib/router.js';
import { ActionDialog } from './dialog.js';

export function NewSubscriptionButton({ customerId, hasCard }: { customerId: string; hasCard: boolean }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        New subscription
      </button>
      {open ? (
        <NewSubscription customerId={customerId} hasCard={hasCard} onClose={() => setOpen(false)} />
      ) : null}
    </>
  );
}

function NewSubscription({
  customerId,
  hasCard,
  onClose,
}: {
  customerId: string;
  hasCard: boolean;
  onClose: () => void;
}) {
  const plans = useApi(() => api.GET('/api/admin/plans', {}), []);
  const [priceId, setPriceId] = useState('');
  const [trial, setTrial] = useState(false);
  const options =
    plans.state === 'ok'
      ? plans.data.items
          .filter((p) => p.active)
          .flatMap((plan) => plan.prices.filter((pr) => pr.active).map((price) => ({ plan, price })))
      : [];
  const chosen = options.find((o) => o.price.stripePriceId === priceId);
  const trialDays = chosen && trial ? chosen.plan.trialDays : 0;
  return (
    <ActionDialog
      title="New subscription"
      onClose={onClose}
      call={() =>
        api.POST('/api/admin/subscriptions', {
          body: { customerId, priceId, quantity: 1, trialDays },
        })
      }
      onDone={(created) => navigate(`/subscriptions/${created.id}`)}
      submitLabel="Create subscription"
      disabled={!chosen}
    >
      <label>
        Price
        <select value={priceId} onChange={(e) => setPriceId(e.target.value)} required>
          <option value="">Choose…</option>
          {options.map(({ plan, price }) => (
            <option key={price.id} value={price.stripePriceId}>
              {plan.name} — {money(price.unitAmount, price.currency)} /{' '}
              {price.intervalCount > 1 ? `${price.intervalCount} ${price.interval}s` : price.interval}
            </option>
          ))}
        </select>
      </label>
      {chosen && chosen.plan.trialDays > 0 ? (
        <label className="check">
          <input type="checkbox" checked={trial} onChange={(e) => setTrial(e.target.checked)} /> Start with
          the plan&apos;s {chosen.plan.trialDays}-day trial
        </label>
      ) : null}
      {chosen ? (
        <p className="notice">
          {trialDays > 0
            ? `Nothing is charged until the trial ends, then ${money(chosen.price.unitAmount, chosen.price.currency)}.`
            : hasCard
              ? `Charges ${money(chosen.price.unitAmount, chosen.price.currency)} to the default card now.`
              : 'No card on file: the subscription starts incomplete until the customer pays.'}
        </p>
      ) : null}
    </ActionDialog>
  );
}
