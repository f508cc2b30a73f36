/** Roles, lowest to highest: member < professional < enterprise; `admin` is a staff role billing never changes. */
export const ROLES = ['member', 'professional', 'enterprise', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const PAID_ROLES = ['member', 'professional', 'enterprise'] as const;

export function isRole(v: unknown): v is Role {
  return typeof v === 'string' && (ROLES as readonly string[]).includes(v);
}
