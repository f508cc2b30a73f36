/** The customer's side of the web app, by path. `/` is the account for a signed-in visitor, else sign-in. */
import { useEffect, useState } from 'react';
import { useLocation, navigate } from '../lib/router.js';
import { Account } from './account-page.js';
import { ForgotPassword, ResetPassword, SignIn, SignUp, VerifyEmail, AuthCard } from './auth-pages.js';
import { getMe } from './session.js';

function Home() {
  const [signedIn, setSignedIn] = useState<boolean | null>(null);
  useEffect(() => {
    void getMe().then((r) => setSignedIn(r.ok));
  }, []);
  if (signedIn === null) return null;
  if (signedIn && !new URLSearchParams(window.location.search).get('next')) {
    navigate('/account', { replace: true });
    return null;
  }
  return <SignIn />;
}

export function CustomerApp() {
  const { path } = useLocation();
  useEffect(() => {
    document.title = 'Sertantai Billing';
  }, []);
  switch (path) {
    case '/':
      return <Home />;
    case '/sign-in':
      return <SignIn />;
    case '/sign-up':
      return <SignUp />;
    case '/forgot-password':
      return <ForgotPassword />;
    case '/reset-password':
      return <ResetPassword />;
    case '/verify-email':
      return <VerifyEmail />;
    case '/account':
      return <Account />;
    default:
      return (
        <AuthCard title="Page not found">
          <p>There is no page at {path}.</p>
        </AuthCard>
      );
  }
}
