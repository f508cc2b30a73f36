// The minimal page's script: talks JSON to /api/auth (better-auth) and /api/me.
const $ = (id) => document.getElementById(id);
const message = (text) => ($('message').textContent = text || '');
// Where a signed-out visitor of the admin console came from (/admin sends them here with ?next=): only console paths.
const next = new window.URLSearchParams(window.location.search).get('next');
const returnTo = next && /^\/admin(?:[/?#]|$)/.test(next) ? next : null;

async function api(path, body) {
  const res = await fetch(path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  const text = await res.text();
  const data = text ? JSON.parse(text) : null;
  return { ok: res.ok, status: res.status, data };
}

async function refresh() {
  const { ok, data } = await api('/api/me');
  $('signed-out').hidden = ok;
  $('signed-in').hidden = !ok;
  if (ok) {
    $('me-email').textContent = data.email;
    $('me-role').textContent = data.role;
    $('me-json').textContent = JSON.stringify(data, null, 2);
  }
}

function formData(form) {
  const out = {};
  for (const [k, v] of new FormData(form).entries()) if (String(v).trim() !== '') out[k] = String(v);
  return out;
}

$('sign-up').addEventListener('submit', async (e) => {
  e.preventDefault();
  const { ok, data } = await api('/api/auth/sign-up/email', formData(e.target));
  message(ok ? '' : data?.error?.message || 'Sign-up failed');
  if (ok) await refresh();
});

$('sign-in').addEventListener('submit', async (e) => {
  e.preventDefault();
  const { ok, data } = await api('/api/auth/sign-in/email', formData(e.target));
  message(ok ? '' : data?.error?.message || 'Sign-in failed');
  if (ok && returnTo) return window.location.assign(returnTo);
  if (ok) await refresh();
});

$('sign-out').addEventListener('click', async () => {
  await api('/api/auth/sign-out', {});
  message('Signed out');
  await refresh();
});

for (const id of JSON.parse(document.body.dataset.providers || '[]')) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'secondary';
  b.textContent = `Continue with ${id[0].toUpperCase()}${id.slice(1)}`;
  b.addEventListener('click', async () => {
    const { ok, data } = await api('/api/auth/sign-in/social', { provider: id, callbackURL: '/' });
    if (ok && data.url) window.location.href = data.url;
    else message(data?.error?.message || 'Sign-in failed');
  });
  $('providers').append(b);
}

refresh();
