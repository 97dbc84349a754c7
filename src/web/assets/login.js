// login.js -- posts the login form as JSON; the server sets the session
// cookie (HttpOnly) and the dashboard asks for its CSRF token itself.
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
    location.href = '/';
  } else {
    const body = await res.json().catch(() => ({}));
    err.textContent = body.error || ('sign-in failed (' + res.status + ')');
  }
});
