/**
 * A real OpenID Provider (npm `oidc-provider`) on loopback for sign-in tests, with its development login and
 * consent pages, and a tiny user agent that walks them (`loginAt`), keeping the provider's cookies.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export interface OidcAccount {
  sub: string;
  email: string;
  name: string;
  email_verified?: boolean;
  company?: string;
}

export interface TestOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  close(): Promise<void>;
  /** Follows the provider's pages from an authorization URL to the redirect back to the app; returns that URL. */
  loginAt(authorizationUrl: string, sub: string): Promise<string>;
}

export async function startOidcProvider(opts: {
  redirectUris: string[];
  accounts: OidcAccount[];
  clientId?: string;
  clientSecret?: string;
}): Promise<TestOidcProvider> {
  const clientId = opts.clientId ?? 'sertantai-test';
  const clientSecret = opts.clientSecret ?? 'oidc-client-secret-for-tests-0123456789';
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const byId = new Map(opts.accounts.map((a) => [a.sub, a]));

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: opts.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'company'] },
    pkce: { required: () => false },
    features: { devInteractions: { enabled: true } },
    cookies: { keys: ['oidc-test-cookie-key-0123456789'] },
    async findAccount(_ctx, id) {
      const a = byId.get(id);
      if (!a) return undefined;
      return { accountId: id, claims: async () => ({ email_verified: true, ...a }) };
    },
  });
  // oidc-provider warns about Node 20 and http issuers: expected here.
  server.on('request', provider.callback());

  const jar = new Map<string, string>();
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const remember = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i);
      const value = pair!.slice(i + 1);
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(c)) jar.delete(name);
      else jar.set(name, value);
    }
  };
  const go = async (url: string, init: RequestInit = {}) => {
    const res = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), cookie: cookieHeader() },
    });
    remember(res);
    return res;
  };

  /** Logs in as `sub` from a fresh browser (no session of an earlier login at the provider is reused). */
  async function loginAt(authorizationUrl: string, sub: string): Promise<string> {
    jar.clear();
    let url = authorizationUrl;
    for (let step = 0; step < 12; step++) {
      if (!url.startsWith(issuer)) return url; // back to the app
      const res = await go(url);
      if (res.status >= 300 && res.status < 400) {
        url = new URL(res.headers.get('location')!, url).toString();
        continue;
      }
      const html = await res.text();
      if (res.status !== 200) throw new Error(`provider answered ${res.status}: ${html.slice(0, 300)}`);
      const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
      if (!action) throw new Error(`no form on provider page: ${html.slice(0, 300)}`);
      const isLogin = html.includes('name="login"');
      const body = new URLSearchParams(
        isLogin ? { prompt: 'login', login: sub, password: 'any' } : { prompt: 'consent' },
      );
      const post = await go(new URL(action, url).toString(), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: body.toString(),
      });
      if (post.status < 300 || post.status >= 400) throw new Error(`form post answered ${post.status}`);
      url = new URL(post.headers.get('location')!, url).toString();
    }
    throw new Error('too many steps at the provider');
  }

  return {
    issuer,
    clientId,
    clientSecret,
    loginAt,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
