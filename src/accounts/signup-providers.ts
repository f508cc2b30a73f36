/**
 * The values `users.signup_provider` holds: `email` for a password sign-up, else the id of the social or generic
 * OAuth provider whose callback created the user (auth.ts `providerOf`). Apart from auth.ts so the report parser can
 * whitelist them without loading better-auth.
 */
export const SIGNUP_PROVIDERS = [
  'email',
  'google',
  'github',
  'microsoft',
  'linkedin',
  'okta',
  'airtable',
] as const;

export type SignupProvider = (typeof SIGNUP_PROVIDERS)[number];
