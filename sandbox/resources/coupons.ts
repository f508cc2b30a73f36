/** Coupons (percent or amount off; once / repeating / forever) and promotion codes (clover shape: `promotion.coupon`). */
import { invalidRequest, resourceMissing } from '../protocol/errors.js';
import { paginate } from '../protocol/list.js';
import { bool, int, mergeMetadata, num, obj, oneOf, str, type P } from '../protocol/params.js';
import { route, type Route } from '../router.js';
import { couponShape, promotionCodeShape } from '../shapes.js';
import { getCoupon } from '../billing/discounts.js';
import { newId, randomChars } from '../store.js';

export const couponRoutes: Route[] = [
  route('POST', '/v1/coupons', ({ sb, p }) => {
    const percentOff = num(p, 'percent_off');
    const amountOff = int(p, 'amount_off');
    if ((percentOff === undefined) === (amountOff === undefined)) {
      throw invalidRequest(
        'You must pass exactly one of percent_off or amount_off.',
        percentOff === undefined ? 'percent_off' : 'amount_off',
      );
    }
    if (percentOff !== undefined && (percentOff <= 0 || percentOff > 100))
      throw invalidRequest('percent_off must be between 0 and 100.', 'percent_off');
    const currency = str(p, 'currency')?.toLowerCase();
    if (amountOff !== undefined && !currency)
      throw invalidRequest(
        'You must pass currency when passing amount_off.',
        'currency',
        'parameter_missing',
      );
    const duration = oneOf(p, 'duration', ['once', 'repeating', 'forever'] as const) ?? 'once';
    const months = int(p, 'duration_in_months');
    if (duration === 'repeating' && !months)
      throw invalidRequest(
        'duration_in_months is required when duration is repeating.',
        'duration_in_months',
        'parameter_missing',
      );
    const id = str(p, 'id') || randomChars(8);
    if (sb.store.get(id, 'coupon'))
      throw invalidRequest('Coupon already exists.', 'id', 'resource_already_exists');
    const coupon = couponShape(id, sb.now(), {
      percent_off: percentOff,
      amount_off: amountOff,
      currency,
      duration,
      duration_in_months: months,
      max_redemptions: int(p, 'max_redemptions'),
      redeem_by: int(p, 'redeem_by'),
      name: str(p, 'name') || null,
      metadata: mergeMetadata({}, p),
    });
    sb.store.insert(coupon);
    sb.emit('coupon.created', coupon);
    return coupon;
  }),
  route('GET', '/v1/coupons/:id', ({ sb, params }) => getCoupon(sb, params.id as string, 'coupon')),
  route('POST', '/v1/coupons/:id', ({ sb, params, p }) => {
    const c = getCoupon(sb, params.id as string, 'coupon');
    sb.update(c, () => {
      const name = str(p, 'name');
      if (name !== undefined) c.name = name || null;
      c.metadata = mergeMetadata(c.metadata, p);
    });
    return c;
  }),
  route('DELETE', '/v1/coupons/:id', ({ sb, params }) => {
    const c = getCoupon(sb, params.id as string, 'coupon');
    sb.store.m(c.id).deleted = true;
    sb.emit('coupon.deleted', c);
    return { id: c.id, object: 'coupon', deleted: true };
  }),
  route('GET', '/v1/coupons', ({ sb, p }) =>
    paginate(
      sb.store.list('coupon').filter((c) => !sb.store.m(c.id).deleted),
      p,
      '/v1/coupons',
    ),
  ),
  route('POST', '/v1/promotion_codes', ({ sb, p }) => {
    const promotion = obj(p, 'promotion');
    const couponId = promotion ? str(promotion, 'coupon') : str(p, 'coupon');
    if (!couponId)
      throw invalidRequest(
        'Missing required param: promotion[coupon].',
        'promotion[coupon]',
        'parameter_missing',
      );
    getCoupon(sb, couponId, 'promotion[coupon]');
    const code = str(p, 'code') || randomChars(8).toUpperCase();
    if (sb.store.all('promotion_code').some((x) => x.active && x.code.toLowerCase() === code.toLowerCase())) {
      throw invalidRequest(
        'An active promotion code with this code already exists.',
        'code',
        'duplicate_promotion_code',
      );
    }
    const r = obj(p, 'restrictions') ?? ({} as P);
    const promo = promotionCodeShape(newId('promo'), sb.now(), {
      code,
      coupon: couponId,
      active: bool(p, 'active') ?? true,
      customer: str(p, 'customer') || null,
      expires_at: int(p, 'expires_at') ?? null,
      max_redemptions: int(p, 'max_redemptions') ?? null,
      metadata: mergeMetadata({}, p),
      first_time_transaction: bool(r, 'first_time_transaction'),
      minimum_amount: int(r, 'minimum_amount'),
      minimum_amount_currency: str(r, 'minimum_amount_currency'),
    });
    sb.store.insert(promo);
    sb.emit('promotion_code.created', promo);
    return promo;
  }),
  route('GET', '/v1/promotion_codes/:id', ({ sb, params }) => {
    const x = sb.store.get(params.id as string, 'promotion_code');
    if (!x) throw resourceMissing('promotion_code', params.id as string, 'promotion_code');
    return x;
  }),
  route('POST', '/v1/promotion_codes/:id', ({ sb, params, p }) => {
    const x = sb.store.get(params.id as string, 'promotion_code');
    if (!x) throw resourceMissing('promotion_code', params.id as string, 'promotion_code');
    sb.update(x, () => {
      const active = bool(p, 'active');
      if (active !== undefined) x.active = active;
      x.metadata = mergeMetadata(x.metadata, p);
    });
    return x;
  }),
  route('GET', '/v1/promotion_codes', ({ sb, p }) => {
    const code = str(p, 'code');
    const active = bool(p, 'active');
    const coupon = str(p, 'coupon');
    return paginate(
      sb.store
        .list('promotion_code')
        .filter((x) => (code ? x.code === code : true))
        .filter((x) => (active === undefined ? true : x.active === active))
        .filter((x) => (coupon ? x.promotion.coupon === coupon : true)),
      p,
      '/v1/promotion_codes',
    );
  }),
];
