/**
 * Payments: filter by status and currency, search (email, payment intent, charge or customer id), pages; in the URL.
 * A succeeded payment with something left to refund can be refunded, in full or in part (refund-dialog.tsx).
 */
import { useState } from 'react';
import { api } from '../api/client.js';
import { useApi } from '../api/use-api.js';
import { useLiveVersion } from '../lib/live.js';
import { CardLabel } from '../components/card-label.js';
import { DateTime } from '../components/date-time.js';
import { FilterSelect } from '../components/filters.js';
import { pagerOf } from '../components/pager.js';
import { RefundButton } from '../components/refund-dialog.js';
import { SearchBox } from '../components/search-box.js';
import { ActionsHead, ListTable } from '../components/rows-table.js';
import { StatusBadge } from '../components/status-badge.js';
import { money } from '../lib/format.js';
import { oneOf, pageParam } from '../lib/query.js';
import { setQuery, useLocation } from '../lib/router.js';

// Stripe's payment intent statuses, as mirrored; a failed attempt leaves the intent in requires_payment_method.
const STATUSES = [
  'succeeded',
  'requires_payment_method',
  'requires_action',
  'requires_confirmation',
  'processing',
  'requires_capture',
  'canceled',
] as const;
const PAGE_SIZE = 25;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function Payments() {
  const live = useLiveVersion(['payments']);
  const { query } = useLocation();
  const q = query.get('q') ?? '';
  const page = pageParam(query);
  const status = oneOf(query, 'status', STATUSES);
  const createdFrom = DAY.test(query.get('createdFrom') ?? '') ? query.get('createdFrom')! : '';
  const [version, setVersion] = useState(0);
  const list = useApi(
    () =>
      api.GET('/api/admin/payments', {
        params: {
          query: {
            page,
            limit: PAGE_SIZE,
            ...(q ? { q } : {}),
            ...(status ? { status } : {}),
            ...(createdFrom ? { createdFrom } : {}),
          },
        },
      }),
    [q, page, status, createdFrom, version],
    live,
  );

  return (
    <>
      <h1>Payments</h1>
      <div className="toolbar">
        <SearchBox value={q} label="Email or Stripe id" />
        <FilterSelect label="Status" param="status" value={status ?? ''} options={STATUSES} />
        <label>
          Since{' '}
          <input
            type="date"
            value={createdFrom}
            onChange={(e) => setQuery({ createdFrom: e.target.value, page: undefined })}
          />
        </label>
      </div>
      <ListTable
        value={list}
        empty={q || status || createdFrom ? 'No payment matches these filters.' : 'No payments yet.'}
        head={
          <>
            <th>Customer</th>
            <th className="num">Amount</th>
            <th>Status</th>
            <th>Failure</th>
            <th>Card</th>
            <th>Created</th>
            <ActionsHead />
          </>
        }
        row={(p) => (
          <>
            <td data-label="Customer">
              {p.customer?.email ?? <span className="muted">—</span>}
              <div className="muted small">
                <code>{p.stripePaymentIntentId ?? p.stripeChargeId}</code>
              </div>
            </td>
            <td data-label="Amount" className="num">
              {money(p.amount, p.currency)}
              {p.amountRefunded ? (
                <div className="muted small">refunded {money(p.amountRefunded, p.currency)}</div>
              ) : null}
            </td>
            <td data-label="Status">
              <StatusBadge status={p.status} />
            </td>
            <td data-label="Failure">
              {p.failureCode ? (
                <span title={p.failureMessage ?? undefined}>
                  <code>{p.declineCode ?? p.failureCode}</code>
                </span>
              ) : (
                <span className="muted">—</span>
              )}
            </td>
            <td data-label="Card">{p.card ? <CardLabel {...p.card} /> : <span className="muted">—</span>}</td>
            <td data-label="Created">
              <DateTime iso={p.createdAt} withTime />
            </td>
            <td data-label="Actions">
              {p.status === 'succeeded' ? (
                <RefundButton
                  payment={{ ...p, label: p.customer?.email ?? p.stripePaymentIntentId ?? p.id }}
                  onDone={() => setVersion((v) => v + 1)}
                />
              ) : null}
            </td>
          </>
        )}
        footer={pagerOf}
      />
    </>
  );
}
