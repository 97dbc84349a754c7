// login.js -- posts the login form as JSON; the server sets the session
// cookie (HttpOnly) and the dashboard asks for its CSRF token itself;
// then back to the dashboard page that was asked for.
'use strict';
document.getElementById('login').addEventListener('submit', async (e) => {
  e.preventDefault();
  const err = document.getElementById('error');
  err.textContent = '';
  const res = await fetch('/api/login', {
    method: 'POST',
    headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({
      user: document.getElementById('user').value,
      password: document.getElementById('password').value,
    }),
    credentials: 'same-origin',
  });
  if (res.ok) {
    // back to the page asked for: the fragment survives the redirect to
    // /login (only a route of the dashboard, never another address)
    location.href = '/' + (/^#\/[\w\/?=&.%-]*$/.test(location.hash) ? location.hash : '');
  } else {
    const body = await res.json().catch(() => ({}));
    err.textContent = body.error || ('sign-in failed (' + res.status + ')');
  }
});
