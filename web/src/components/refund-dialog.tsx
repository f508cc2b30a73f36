/**
 * Refund a payment, in full or in part, behind a dialog that shows the amount and currency being returned. The
 * partial amount is typed in the currency's major unit and turned into minor units by the money module's parser
 * (the currency's exponent), never by multiplying here.
 */
import { useState } from 'react';
import { api } from '../api/client.js';
import { money, parseMoney } from '../lib/format.js';
import { ActionDialog } from './dialog.js';

export interface Refundable {
  id: string;
  amount: number;
  amountRefunded: number;
  currency: string;
  label: string;
}

export function RefundButton({ payment, onDone }: { payment: Refundable; onDone: () => void }) {
  const [open, setOpen] = useState(false);
  const remaining = payment.amount - payment.amountRefunded;
  if (remaining <= 0) return null;
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        Refund
      </button>
      {open ? (
        <RefundDialog
          payment={payment}
          remaining={remaining}
          onClose={() => setOpen(false)}
          onDone={() => {
            setOpen(false);
            onDone();
          }}
        />
      ) : null}
    </>
  );
}

function RefundDialog({
  payment,
  remaining,
  onClose,
  onDone,
}: {
  payment: Refundable;
  remaining: number;
  onClose: () => void;
  onDone: () => void;
}) {
  const [kind, setKind] = useState<'full' | 'partial'>('full');
  const [typed, setTyped] = useState('');
  const [reason, setReason] = useState<'' | 'duplicate' | 'fraudulent' | 'requested_by_customer'>('');
  const partial = kind === 'partial' ? parseMoney(typed, payment.currency) : null;
  const amount = kind === 'full' ? remaining : partial;
  const valid = amount !== null && amount > 0 && amount <= remaining;
  return (
    <ActionDialog
      title="Refund payment"
      onClose={onClose}
      call={() =>
        valid
          ? api.POST('/api/admin/payments/{id}/refund', {
              params: { path: { id: payment.id } },
              body: {
                ...(kind === 'partial' ? { amountMinor: amount } : {}),
                ...(reason ? { reason } : {}),
              },
            })
          : null
      }
      onDone={onDone}
      submitLabel={valid ? `Refund ${money(amount, payment.currency)}` : 'Refund'}
      destructive
      disabled={!valid}
    >
      <p>
        {payment.label}: paid {money(payment.amount, payment.currency)}
        {payment.amountRefunded ? (
          <>, already refunded {money(payment.amountRefunded, payment.currency)}</>
        ) : null}
        . Refundable: <strong data-testid="refundable">{money(remaining, payment.currency)}</strong> (
        {payment.currency.toUpperCase()}).
      </p>
      <label className="check">
        <input type="radio" name="kind" checked={kind === 'full'} onChange={() => setKind('full')} /> Full (
        {money(remaining, payment.currency)})
      </label>
      <label className="check">
        <input type="radio" name="kind" checked={kind === 'partial'} onChange={() => setKind('partial')} />{' '}
        Partial
      </label>
      {kind === 'partial' ? (
        <label>
          Amount in {payment.currency.toUpperCase()}
          <input
            inputMode="decimal"
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            aria-invalid={typed !== '' && !valid}
            autoFocus
          />
          {typed !== '' && !valid ? (
            <span className="muted">
              Enter an amount up to {money(remaining, payment.currency)}, in {payment.currency.toUpperCase()}
            </span>
          ) : null}
        </label>
      ) : null}
      <label>
        Reason
        <select value={reason} onChange={(e) => setReason(e.target.value as typeof reason)}>
          <option value="">—</option>
          <option value="requested_by_customer">requested by customer</option>
          <option value="duplicate">duplicate</option>
          <option value="fraudulent">fraudulent</option>
        </select>
      </label>
      {valid ? (
        <p className="notice">
          Returns <strong data-testid="refund-amount">{money(amount, payment.currency)}</strong> to the
          customer&apos;s card.
        </p>
      ) : null}
    </ActionDialog>
  );
}
