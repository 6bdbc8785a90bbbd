/** The public unsubscribe pages: small, self-contained HTML (no scripts, no external assets). */

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!,
  );

/** `sarah@acme.com` → `sa•••@acme.com`: enough for the owner to recognise, little for anyone else. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '•••';
  const local = email.slice(0, at);
  return `${local.slice(0, local.length > 2 ? 2 : 1)}•••${email.slice(at)}`;
}

const STYLE = `
  :root { color-scheme: light dark; --fg: #1f2328; --muted: #59636e; --bg: #f6f8fa; --card: #fff; --line: #d1d9e0; --accent: #1f6feb; }
  @media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --muted: #9198a1; --bg: #0d1117; --card: #151b23; --line: #3d444d; --accent: #4493f8; } }
  * { box-sizing: border-box; }
  body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: var(--bg); color: var(--fg);
         font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; padding: 24px; }
  main { width: 100%; max-width: 420px; background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 32px; }
  h1 { font-size: 1.35rem; margin: 0 0 12px; }
  p { margin: 0 0 16px; }
  .muted { color: var(--muted); font-size: .9rem; margin: 16px 0 0; }
  button { font: inherit; font-weight: 600; color: #fff; background: var(--accent); border: 0; border-radius: 8px;
           padding: 10px 20px; cursor: pointer; width: 100%; }
  button:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
`;

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

/** The confirm page: GET never unsubscribes (link scanners open links); the button POSTs. */
export function confirmPage(email: string): string {
  return layout(
    'Unsubscribe',
    `<h1>Unsubscribe</h1>
<p>Stop emails to <strong>${escapeHtml(maskEmail(email))}</strong>?</p>
<form method="post">
<input type="hidden" name="confirm" value="yes">
<button type="submit">Unsubscribe</button>
</form>
<p class="muted">You will get no further emails from this sender.</p>`,
  );
}

export function donePage(email: string, already: boolean): string {
  return layout(
    'Unsubscribed',
    `<h1>You are unsubscribed</h1>
<p><strong>${escapeHtml(maskEmail(email))}</strong> ${already ? 'was already unsubscribed' : 'has been unsubscribed'} and will get no further emails from this sender.</p>
<p class="muted">You can close this page.</p>`,
  );
}

export function invalidPage(): string {
  return layout(
    'Link not valid',
    `<h1>This link is not valid</h1>
<p>We could not find what this unsubscribe link points to. If you copied it from an email, check that the whole link was copied.</p>`,
  );
}

/** Headers of every page: no caching, no referrer (the URL holds the token), nothing but inline style. */
export const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-robots-tag': 'noindex, nofollow',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
} as const;
