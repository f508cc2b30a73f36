/**
 * Plan writes: create a plan with its prices, edit a plan, add a price (a price change is a new price; Stripe
 * prices are immutable), and activate / deactivate (archive). Amounts are typed in the currency's major unit and
 * parsed by the money module (the currency's exponent); the server validates again and its 422 shows with its code.
 */
import { useState } from 'react';
import { api } from '../api/client.js';
import { money, parseMoney } from '../lib/format.js';
import { ActionDialog } from './dialog.js';

const ROLES = ['member', 'professional', 'enterprise'] as const;
const INTERVALS = ['day', 'week', 'month', 'year'] as const;
type Role = (typeof ROLES)[number];
type Interval = (typeof INTERVALS)[number];

interface PriceDraft {
  currency: string;
  amount: string;
  interval: Interval;
  intervalCount: string;
}

const emptyPrice = (): PriceDraft => ({ currency: 'usd', amount: '', interval: 'month', intervalCount: '1' });

/** A draft price as the API's body, or null while it is incomplete or invalid. */
function priceBody(p: PriceDraft) {
  const currency = p.currency.trim().toLowerCase();
  if (!/^[a-z]{3}$/.test(currency)) return null;
  const unitAmount = parseMoney(p.amount, currency);
  const intervalCount = Number(p.intervalCount);
  if (unitAmount === null || unitAmount < 0 || !Number.isInteger(intervalCount) || intervalCount < 1)
    return null;
  return { currency, unitAmount, interval: p.interval, intervalCount };
}

function PriceFields({
  value,
  onChange,
  n,
}: {
  value: PriceDraft;
  onChange: (p: PriceDraft) => void;
  n: number;
}) {
  const body = priceBody(value);
  return (
    <fieldset>
      <legend>Price {n}</legend>
      <div className="field-row">
        <label>
          Currency
          <input
            value={value.currency}
            maxLength={3}
            onChange={(e) => onChange({ ...value, currency: e.target.value })}
            aria-label={`Price ${n} currency`}
          />
        </label>
        <label>
          Amount
          <input
            inputMode="decimal"
            value={value.amount}
            onChange={(e) => onChange({ ...value, amount: e.target.value })}
            aria-label={`Price ${n} amount`}
            placeholder="29.00"
          />
        </label>
        <label>
          Every
          <input
            type="number"
            min={1}
            max={12}
            value={value.intervalCount}
            onChange={(e) => onChange({ ...value, intervalCount: e.target.value })}
            aria-label={`Price ${n} interval count`}
          />
        </label>
        <label>
          Interval
          <select
            value={value.interval}
            onChange={(e) => onChange({ ...value, interval: e.target.value as Interval })}
            aria-label={`Price ${n} interval`}
          >
            {INTERVALS.map((i) => (
              <option key={i}>{i}</option>
            ))}
          </select>
        </label>
      </div>
      <span className="muted small">
        {body
          ? `${money(body.unitAmount, body.currency)} every ${body.intervalCount} ${body.interval}`
          : 'incomplete'}
      </span>
    </fieldset>
  );
}

const features = (text: string) =>
  text
    .split('\n')
    .map((f) => f.trim())
    .filter(Boolean);

/** What creating and editing a plan both set, as typed. */
interface PlanTerms {
  description: string;
  grantsRole: Role;
  trialDays: string;
  featureText: string;
}

/** The terms' part of the API's body that creating and editing share (the description differs: omitted or null). */
const termsBody = (t: PlanTerms) => ({
  grantsRole: t.grantsRole,
  trialDays: Number(t.trialDays),
  features: features(t.featureText),
});

/** Description, the role it grants, the trial and the features: the fields of both plan forms. */
function PlanTermsFields({ value, onChange }: { value: PlanTerms; onChange: (t: PlanTerms) => void }) {
  return (
    <>
      <label>
        Description
        <input
          value={value.description}
          onChange={(e) => onChange({ ...value, description: e.target.value })}
        />
      </label>
      <div className="field-row">
        <label>
          Grants role
          <select
            value={value.grantsRole}
            onChange={(e) => onChange({ ...value, grantsRole: e.target.value as Role })}
          >
            {ROLES.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
        <label>
          Trial days
          <input
            type="number"
            min={0}
            max={730}
            value={value.trialDays}
            onChange={(e) => onChange({ ...value, trialDays: e.target.value })}
          />
        </label>
      </div>
      <label>
        Features (one a line)
        <textarea
          rows={3}
          value={value.featureText}
          onChange={(e) => onChange({ ...value, featureText: e.target.value })}
        />
      </label>
    </>
  );
}

export function CreatePlan({ onClose, onDone }: { onClose: () => void; onDone: () => void }) {
  const [key, setKey] = useState('');
  const [name, setName] = useState('');
  const [terms, setTerms] = useState<PlanTerms>({
    description: '',
    grantsRole: 'professional',
    trialDays: '0',
    featureText: '',
  });
  const [prices, setPrices] = useState<PriceDraft[]>([emptyPrice()]);
  const bodies = prices.map(priceBody);
  const valid =
    key && name.trim() && bodies.every((b) => b !== null) && Number.isInteger(Number(terms.trialDays));
  return (
    <ActionDialog
      title="Create a plan"
      onClose={onClose}
      call={() =>
        api.POST('/api/admin/plans', {
          body: {
            key,
            name: name.trim(),
            ...(terms.description.trim() ? { description: terms.description.trim() } : {}),
            ...termsBody(terms),
            prices: bodies.filter((b) => b !== null),
          },
        })
      }
      onDone={onDone}
      submitLabel="Create plan"
      disabled={!valid}
    >
      <div className="field-row">
        <label>
          Key (lowercase, used in URLs)
          <input
            value={key}
            onChange={(e) => setKey(e.target.value)}
            pattern="[a-z0-9][a-z0-9_\-]*"
            required
          />
        </label>
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} required />
        </label>
      </div>
      <PlanTermsFields value={terms} onChange={setTerms} />
      {prices.map((p, i) => (
        <PriceFields
          key={i}
          n={i + 1}
          value={p}
          onChange={(next) => setPrices(prices.map((q, j) => (j === i ? next : q)))}
        />
      ))}
      <div className="actions">
        <button type="button" onClick={() => setPrices([...prices, emptyPrice()])}>
          Add another price
        </button>
        {prices.length > 1 ? (
          <button type="button" onClick={() => setPrices(prices.slice(0, -1))}>
            Remove last price
          </button>
        ) : null}
      </div>
    </ActionDialog>
  );
}

export interface EditablePlan {
  id: string;
  name: string;
  description: string | null;
  grantsRole: string;
  trialDays: number;
  features: string[];
  active: boolean;
}

export function EditPlan({
  plan,
  onClose,
  onDone,
}: {
  plan: EditablePlan;
  onClose: () => void;
  onDone: () => void;
}) {
  const [name, setName] = useState(plan.name);
  const [terms, setTerms] = useState<PlanTerms>({
    description: plan.description ?? '',
    grantsRole: (ROLES as readonly string[]).includes(plan.grantsRole)
      ? (plan.grantsRole as Role)
      : 'professional',
    trialDays: String(plan.trialDays),
    featureText: plan.features.join('\n'),
  });
  return (
    <ActionDialog
      title={`Edit ${plan.name}`}
      onClose={onClose}
      call={() =>
        api.PATCH('/api/admin/plans/{id}', {
          params: { path: { id: plan.id } },
          body: {
            name: name.trim(),
            description: terms.description.trim() || null,
            ...termsBody(terms),
          },
        })
      }
      onDone={onDone}
      submitLabel="Save"
      disabled={!name.trim()}
    >
      <label>
        Name
        <input value={name} onChange={(e) => setName(e.target.value)} required />
      </label>
      <PlanTermsFields value={terms} onChange={setTerms} />
    </ActionDialog>
  );
}

export function AddPrice({
  plan,
  onClose,
  onDone,
}: {
  plan: { id: string; name: string };
  onClose: () => void;
  onDone: () => void;
}) {
  const [price, setPrice] = useState(emptyPrice());
  const body = priceBody(price);
  return (
    <ActionDialog
      title={`Add a price to ${plan.name}`}
      onClose={onClose}
      call={() =>
        body && api.POST('/api/admin/plans/{id}/prices', { params: { path: { id: plan.id } }, body })
      }
      onDone={onDone}
      submitLabel="Add price"
      disabled={!body}
    >
      <p className="muted">Existing subscribers keep their price; new ones can choose this one.</p>
      <PriceFields n={1} value={price} onChange={setPrice} />
    </ActionDialog>
  );
}

export function SetPlanActive({
  plan,
  onClose,
  onDone,
}: {
  plan: { id: string; name: string; active: boolean };
  onClose: () => void;
  onDone: () => void;
}) {
  const activate = !plan.active;
  return (
    <ActionDialog
      title={`${activate ? 'Activate' : 'Deactivate'} ${plan.name}`}
      onClose={onClose}
      call={() =>
        activate
          ? api.POST('/api/admin/plans/{id}/activate', { params: { path: { id: plan.id } } })
          : api.POST('/api/admin/plans/{id}/deactivate', { params: { path: { id: plan.id } } })
      }
      onDone={onDone}
      submitLabel={activate ? 'Activate' : 'Deactivate'}
      destructive={!activate}
    >
      <p>
        {activate
          ? 'Customers can subscribe to this plan again.'
          : 'No new subscription can start on this plan (it is archived); existing subscribers keep it.'}
      </p>
    </ActionDialog>
  );
}
