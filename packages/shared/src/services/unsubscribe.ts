import type { SecretBox } from '../crypto';
import { safeEqual } from '../crypto';

/**
 * Unsubscribe tokens: `<id>.<signature>`, where id is a send id (`snd_…`) or a contact id
 * (`cnt_…`) and the signature is `SecretBox.sign` over a purpose-tagged payload. Not guessable
 * without the secret key; URL-safe (ids are base32, the signature base64url).
 */
const PURPOSE = 'unsubscribe:';

export function unsubscribeToken(secrets: SecretBox, id: string): string {
  return `${id}.${secrets.sign(PURPOSE + id)}`;
}

/** The id a token was made for, or null when the token is malformed or its signature is wrong. */
export function verifyUnsubscribeToken(secrets: SecretBox, token: string): string | null {
  if (typeof token !== 'string' || token.length > 200) return null;
  const dot = token.lastIndexOf('.');
  if (dot <= 0) return null;
  const id = token.slice(0, dot);
  const sig = token.slice(dot + 1);
  if (!/^(snd|cnt)_[0-9a-z]+$/.test(id)) return null;
  return safeEqual(sig, secrets.sign(PURPOSE + id)) ? id : null;
}

/** The two `List-Unsubscribe` targets of a message (RFC 2369 + RFC 8058 one-click on the https one). */
export function unsubscribeTargets(
  publicUrl: string,
  secrets: SecretBox,
  sendId: string,
  mailboxAddress: string,
): { url: string; mailto: string; header: string } {
  const url = `${publicUrl.replace(/\/$/, '')}/u/${unsubscribeToken(secrets, sendId)}`;
  const mailto = `mailto:${mailboxAddress}?subject=unsubscribe`;
  return { url, mailto, header: `<${url}>, <${mailto}>` };
}
