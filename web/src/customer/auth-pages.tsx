/**
 * Signed-out pages: sign in (email + password and a button per configured provider), sign up, forgot password,
 * reset password, verify email. Link pages say clearly when a link was already used, has expired or is not valid,
 * and offer a new one. Answers never tell whether an address has an account (the server answers the same).
 */
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { Link, navigate } from '../lib/router.js';
import { configuredProviders, getJson, postJson, providerLabel, startOAuth, type Answer } from './session.js';

export function AuthCard({ title, children }: { title: string; children: ReactNode }) {
  return (
    <main className="auth">
      <div className="auth-brand">
        <span className="logo">S</span> Sertantai
      </div>
      <section className="panel auth-card">
        <h1>{title}</h1>
        {children}
      </section>
    </main>
  );
}

function Message({ error, notice }: { error?: string | null; notice?: string | null }) {
  if (error)
    return (
      <p className="form-message error" role="alert" id="message">
        {error}
      </p>
    );
  if (notice)
    return (
      <p className="form-message notice" role="status" id="message">
        {notice}
      </p>
    );
  return null;
}

function fields(e: FormEvent<HTMLFormElement>): Record<string, string> {
  e.preventDefault();
  const out: Record<string, string> = {};
  for (const [k, v] of new FormData(e.currentTarget).entries()) {
    if (String(v).trim() !== '') out[k] = String(v);
  }
  return out;
}

/** Where to go after signing in: back to the console page that sent us here, else the account page. */
function afterSignIn(): string {
  const next = new URLSearchParams(window.location.search).get('next');
  return next && /^\/admin(?:[/?#]|$)/.test(next) ? next : '/account';
}

function Providers() {
  const providers = configuredProviders();
  const [error, setError] = useState<string | null>(null);
  if (providers.length === 0) return null;
  return (
    <div className="providers">
      <div className="divider">
        <span>or</span>
      </div>
      {providers.map((p) => (
        <button
          key={p}
          type="button"
          className="wide"
          data-provider={p}
          onClick={async () => {
            const r = await startOAuth(p, false);
            if (!r.ok) setError(r.message);
          }}
        >
          Continue with {providerLabel(p)}
        </button>
      ))}
      <Message error={error} />
    </div>
  );
}

export function SignIn() {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    const f = fields(e);
    setBusy(true);
    const r = await postJson('/api/auth/sign-in/email', { email: f.email, password: f.password });
    setBusy(false);
    if (!r.ok) return setError(r.code === 'invalid_credentials' ? 'Invalid email or password' : r.message);
    const to = afterSignIn();
    if (to.startsWith('/admin')) window.location.assign(to);
    else navigate(to);
  };
  return (
    <AuthCard title="Sign in">
      <form id="sign-in" onSubmit={submit}>
        <label htmlFor="si-email">Email</label>
        <input id="si-email" name="email" type="email" autoComplete="email" required />
        <label htmlFor="si-password">Password</label>
        <input id="si-password" name="password" type="password" autoComplete="current-password" required />
        <Message error={error} />
        <button type="submit" className="primary wide" disabled={busy}>
          Sign in
        </button>
      </form>
      <Providers />
      <p className="auth-links">
        <Link to="/forgot-password">Forgot your password?</Link>
        <span>
          New here? <Link to="/sign-up">Create an account</Link>
        </span>
      </p>
    </AuthCard>
  );
}

export function SignUp() {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [sentTo, setSentTo] = useState<string | null>(null);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    const f = fields(e);
    setBusy(true);
    const r = await postJson('/api/auth/sign-up/email', {
      name: f.name,
      email: f.email,
      password: f.password,
      ...(f.company ? { company: f.company } : {}),
    });
    setBusy(false);
    if (!r.ok) return setError(r.message);
    // The same answer whether or not the address already had an account: nobody is signed in here.
    setError(null);
    setSentTo(f.email ?? '');
  };
  if (sentTo !== null)
    return (
      <AuthCard title="Check your email">
        <p id="message" role="status">
          We have sent a message to <strong>{sentTo}</strong>. Follow its link to verify your address, then
          sign in. If the address already has an account, the message says how to sign in instead.
        </p>
        <Link className="button primary" id="to-sign-in" to="/sign-in">
          Sign in
        </Link>
      </AuthCard>
    );
  return (
    <AuthCard title="Create your account">
      <form id="sign-up" onSubmit={submit}>
        <label htmlFor="su-name">Name</label>
        <input id="su-name" name="name" autoComplete="name" required />
        <label htmlFor="su-email">Email</label>
        <input id="su-email" name="email" type="email" autoComplete="email" required />
        <label htmlFor="su-password">Password</label>
        <input
          id="su-password"
          name="password"
          type="password"
          autoComplete="new-password"
          minLength={12}
          required
        />
        <p className="hint">At least 12 characters.</p>
        <label htmlFor="su-company">Company (optional)</label>
        <input id="su-company" name="company" autoComplete="organization" />
        <Message error={error} />
        <button type="submit" className="primary wide" disabled={busy}>
          Create account
        </button>
      </form>
      <Providers />
      <p className="auth-links">
        <span>
          Already have an account? <Link to="/sign-in">Sign in</Link>
        </span>
      </p>
    </AuthCard>
  );
}

export function ForgotPassword() {
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    const f = fields(e);
    const r = await postJson('/api/auth/request-password-reset', { email: f.email });
    if (!r.ok) return setError(r.message);
    setError(null);
    setSent(true);
  };
  return (
    <AuthCard title="Forgot your password?">
      {sent ? (
        <p id="message" role="status">
          If an account uses that address, we have sent it a link to choose a new password. The link works
          once, for an hour.
        </p>
      ) : (
        <form id="forgot" onSubmit={submit}>
          <p className="muted">We will email you a link to choose a new password.</p>
          <label htmlFor="fp-email">Email</label>
          <input id="fp-email" name="email" type="email" autoComplete="email" required />
          <Message error={error} />
          <button type="submit" className="primary wide">
            Send the link
          </button>
        </form>
      )}
      <p className="auth-links">
        <Link to="/sign-in">Back to sign in</Link>
      </p>
    </AuthCard>
  );
}

const LINK_PROBLEMS: Record<string, string> = {
  link_used: 'This link has already been used.',
  link_expired: 'This link has expired.',
  link_invalid: 'This link is not valid.',
};

function LinkProblem({ code, again }: { code: string; again: ReactNode }) {
  return (
    <div className="state error" role="alert" id="link-problem" data-code={code}>
      <strong>{LINK_PROBLEMS[code] ?? 'This link cannot be used.'}</strong>
      <p>{again}</p>
    </div>
  );
}

export function ResetPassword() {
  const token = new URLSearchParams(window.location.search).get('token') ?? '';
  const [state, setState] = useState<{ done?: boolean; code?: string; error?: string }>({});
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    const f = fields(e);
    if (f.password !== f.confirm) return setState({ error: 'The two passwords differ' });
    const r = await postJson('/api/auth/reset-password', { token, newPassword: f.password });
    if (r.ok) return setState({ done: true });
    if (r.code in LINK_PROBLEMS) return setState({ code: r.code });
    setState({ error: r.message });
  };
  return (
    <AuthCard title="Choose a new password">
      {state.done ? (
        <>
          <p id="message" role="status">
            Your password is changed, and every session was signed out.
          </p>
          <Link className="button primary" to="/sign-in">
            Sign in
          </Link>
        </>
      ) : state.code || !token ? (
        <LinkProblem
          code={state.code ?? 'link_invalid'}
          again={
            <>
              <Link to="/forgot-password">Ask for a new link</Link>.
            </>
          }
        />
      ) : (
        <form id="reset" onSubmit={submit}>
          <label htmlFor="rp-password">New password</label>
          <input
            id="rp-password"
            name="password"
            type="password"
            autoComplete="new-password"
            minLength={12}
            required
          />
          <label htmlFor="rp-confirm">New password again</label>
          <input
            id="rp-confirm"
            name="confirm"
            type="password"
            autoComplete="new-password"
            minLength={12}
            required
          />
          <Message error={state.error} />
          <button type="submit" className="primary wide">
            Set the new password
          </button>
        </form>
      )}
    </AuthCard>
  );
}

// One verification per token and page load, whatever React renders twice (a link works once).
const verifying = new Map<string, Promise<Answer<unknown>>>();

export function VerifyEmail() {
  const token = new URLSearchParams(window.location.search).get('token') ?? '';
  const [result, setResult] = useState<Answer<unknown> | null>(null);
  useEffect(() => {
    if (!token) return;
    let p = verifying.get(token);
    if (!p) {
      p = getJson(`/api/auth/verify-email?token=${encodeURIComponent(token)}`);
      verifying.set(token, p);
    }
    void p.then(setResult);
  }, [token]);
  const again = (
    <>
      <Link to="/account">Open your account</Link> to send a new one.
    </>
  );
  return (
    <AuthCard title="Verify your email">
      {!token ? (
        <LinkProblem code="link_invalid" again={again} />
      ) : !result ? (
        <p className="state loading" role="status">
          Checking your link…
        </p>
      ) : result.ok ? (
        <>
          <p id="message" role="status">
            Your email address is verified.
          </p>
          <Link className="button primary" to="/account">
            Go to your account
          </Link>
        </>
      ) : result.code in LINK_PROBLEMS ? (
        <LinkProblem code={result.code} again={again} />
      ) : (
        <div className="state error" role="alert">
          <strong>{result.message}</strong>
        </div>
      )}
    </AuthCard>
  );
}
