/*
 * Secrets out of everything a user or a log may see: one set of rules for every service's URL
 * (the config's descriptions, the Settings page's masked values, Redis, S3 and PostgreSQL errors).
 */

/** What a secret is replaced with; a masked value sent back unchanged keeps the saved secret (settings.ts). */
export const MASK = '***';

/**
 * A URL with its password masked, the rest kept as written: `postgres://app:***@db:5432/x`;
 * `redis://***@db:6379` for a password without a user, and for a Redis URL's lone user (a token).
 * Text that is not a URL goes through redactText.
 */
export function redactUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return redactText(raw);
  }
  if (url.password) {
    if (url.username) url.password = MASK;
    else {
      url.password = '';
      url.username = MASK;
    }
  } else if (url.username && url.protocol.startsWith('redis')) url.username = MASK;
  return url.href;
}

/** Every URL's credentials in free text (an error message) masked, and `password=` query values. */
export function redactText(text: string): string {
  return text
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/)([^\s/?#]*)@/gi, (_m, scheme: string, userinfo: string) => {
      const colon = userinfo.indexOf(':');
      if (colon > 0) return `${scheme}${userinfo.slice(0, colon)}:${MASK}@`;
      if (colon === 0 || scheme.toLowerCase().startsWith('redis')) return `${scheme}${MASK}@`;
      return `${scheme}${userinfo}@`;
    })
    .replace(/([?&]pass(?:word)?=)[^&\s]*/gi, `$1${MASK}`);
}

/** `text` without these secrets, as given and percent-decoded (a password in a URL may be either). */
export function maskSecrets(text: string, ...secrets: (string | undefined)[]): string {
  for (const secret of secrets) {
    if (!secret) continue;
    let decoded = secret;
    try {
      decoded = decodeURIComponent(secret);
    } catch {
      // not percent-encoded
    }
    for (const s of new Set([secret, decoded])) text = text.split(s).join(MASK);
  }
  return text;
}

/** `text` without the password of `url` (raw and percent-decoded); an unparseable URL is taken out whole. */
export function maskUrlPassword(text: string, url: string): string {
  if (!url) return text;
  let password: string;
  try {
    password = new URL(url).password;
  } catch {
    return text.split(url).join('(unparseable URL)');
  }
  return maskSecrets(text, password);
}

/** The URL without user and password, for naming a server; redactText for what does not parse. */
export function withoutCredentials(raw: string): string {
  try {
    const u = new URL(raw);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return redactText(raw);
  }
}
