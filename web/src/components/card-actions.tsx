/**
 * A card's actions on the customer page: make it the default (the card Stripe charges for invoices) and detach it.
 * Detaching the default card of a customer whose subscriptions will charge it says so, in red, and only then sends
 * `confirmNoDefault` (the API refuses it otherwise with 409 `default_card_in_use`, shown in the dialog).
 */
import { api } from '../api/client.js';
import { ConfirmButton } from './confirm-button.js';

/** Statuses whose next invoice charges the default card (the API's CHARGING_STATUSES). */
const CHARGING = new Set(['active', 'trialing', 'past_due', 'unpaid']);

export interface CardRow {
  stripePaymentMethodId: string;
  brand: string | null;
  type: string;
  last4: string | null;
  isDefault: boolean;
  detachedAt: string | null;
}

export function CardActions({
  customerId,
  card,
  subscriptionStatuses,
  onDone,
}: {
  customerId: string;
  card: CardRow;
  subscriptionStatuses: string[];
  onDone: () => void;
}) {
  if (card.detachedAt) return null;
  const label = `${card.brand ?? card.type} ····${card.last4 ?? ''}`;
  const path = { id: customerId, pm: card.stripePaymentMethodId };
  const charging = subscriptionStatuses.filter((s) => CHARGING.has(s)).length;
  const leavesNone = card.isDefault && charging > 0;
  return (
    <span className="row-actions">
      {card.isDefault ? null : (
        <ConfirmButton
          label="Make default"
          title="Make this the default card"
          confirmLabel={`Make ${label} the default`}
          noteLabel="Reason (optional, kept in the audit log)"
          call={(note) =>
            api.POST('/api/admin/customers/{id}/payment-methods/{pm}/default', {
              params: { path },
              body: note ? { reason: note } : {},
            })
          }
          onDone={onDone}
        >
          <p>Stripe will charge {label} for this customer’s next invoices.</p>
        </ConfirmButton>
      )}
      <ConfirmButton
        label="Detach"
        title="Detach this card"
        confirmLabel={leavesNone ? 'Detach anyway' : `Detach ${label}`}
        destructive
        noteLabel="Reason (optional, kept in the audit log)"
        call={(note) =>
          api.POST('/api/admin/customers/{id}/payment-methods/{pm}/detach', {
            params: { path },
            body: { ...(leavesNone ? { confirmNoDefault: true } : {}), ...(note ? { reason: note } : {}) },
          })
        }
        onDone={onDone}
      >
        {leavesNone ? (
          <p className="form-message error" role="alert" data-testid="no-default-warning">
            {label} is the default card, and {charging} subscription{charging === 1 ? '' : 's'} will charge it
            at renewal. Without a default card those invoices fail and the customer enters dunning. Make
            another card the default first, or detach it anyway.
          </p>
        ) : (
          <p>
            {label} is removed from the customer in Stripe and can no longer be charged.
            {card.isDefault ? ' The customer will have no default card.' : ''}
          </p>
        )}
      </ConfirmButton>
    </span>
  );
}
