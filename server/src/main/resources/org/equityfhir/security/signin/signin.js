// Sign-in for the server's web pages: authorization code with PKCE (S256) against the server's own
// authorization endpoint, as the public client equity-web. The page gets an access token for the
// signed-in user; the FHIR API then enforces that user's role and organization. Tokens live in this
// tab's sessionStorage only.
window.EquitySignIn = (function () {
  'use strict';

  const CLIENT = 'equity-web';
  const SCOPE = 'user/*.cruds';
  const base64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  const random = () => base64url(crypto.getRandomValues(new Uint8Array(32)));

  function claims(jwt) {
    const part = jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(decodeURIComponent(escape(atob(part))));
  }

  // Resolves to a token, or to null while the browser is sent to sign in.
  async function signIn() {
    const page = new URL('./', document.baseURI).href;
    if (location.hostname === 'localhost') {
      // The sign-in server accepts loopback addresses as IP literals only (OAuth 2.1).
      location.replace(location.href.replace('//localhost', '//127.0.0.1'));
      return null;
    }
    const key = 'equity.token:' + page;
    const saved = sessionStorage.getItem(key);
    if (saved && claims(saved).exp * 1000 > Date.now() + 30000) {
      return saved;
    }
    const params = new URLSearchParams(location.search);
    if (params.get('code') && params.get('state') === sessionStorage.getItem('equity.state')) {
      const form = new URLSearchParams({ grant_type: 'authorization_code', code: params.get('code'), redirect_uri: page,
        client_id: CLIENT, code_verifier: sessionStorage.getItem('equity.verifier') });
      const response = await fetch(new URL('/oauth2/token', location.origin).href, {
        method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: form });
      if (!response.ok) throw new Error('Signing in failed (' + response.status + '). Reload the page to try again.');
      const token = (await response.json()).access_token;
      sessionStorage.setItem(key, token);
      const keep = new URLSearchParams(sessionStorage.getItem('equity.query') || '');
      history.replaceState(null, '', page + (keep.toString() ? '?' + keep : ''));
      return token;
    }
    const verifier = random();
    const state = random();
    sessionStorage.setItem('equity.verifier', verifier);
    sessionStorage.setItem('equity.state', state);
    sessionStorage.setItem('equity.query', location.search.replace(/^\?/, ''));
    const challenge = base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
    location.assign(new URL('/oauth2/authorize', location.origin).href + '?' + new URLSearchParams({
      response_type: 'code', client_id: CLIENT, redirect_uri: page, scope: SCOPE, state,
      code_challenge: challenge, code_challenge_method: 'S256' }));
    return null;
  }

  // After a 401 (the token expired or was revoked): forget it and sign in again.
  function expired() {
    sessionStorage.removeItem('equity.token:' + new URL('./', document.baseURI).href);
    location.reload();
  }

  return { signIn, claims, expired };
})();
