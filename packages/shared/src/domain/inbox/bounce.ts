/**
 * Bounces: a standard DSN (RFC 3464 `message/delivery-status`), an Amazon SES bounce notification,
 * then the non-standard bounces real MTAs send (Postfix/Exim/Sendmail/qmail plain-text reports,
 * Exchange/Office 365, Gmail, Yahoo, …), recognised by who sends them (mailer-daemon, postmaster),
 * `X-Failed-Recipients`, their subject and the phrases and status codes in the body. A DSN whose
 * every recipient was delivered, relayed or expanded is a `notification`, not a bounce.
 */
import { reasonFromStatus, reasonFromText } from './bounce-reason';
import { firstAddress } from './fields';
import { sesNotification } from './ses';
import type { BounceInfo, DsnRecipient, ParsedMessage } from './types';

const DAEMON_SENDER =
  /^(?:mailer[-_.]?daemon|post[-_.]?master|mail[-_.]?delivery[-_.]?(?:system|subsystem)?|maildelivery|mail[-_.]?daemon|mdaemon|double-bounce|bounces?|mail[-_.]?(?:administrator|admin)|mailadmin|nobody|root|mta|smtp)(?:[-_.+][^@]*)?@/i;
const DAEMON_NAME =
  /mail delivery (?:system|subsystem|service)|mailer[- ]daemon|postmaster|mail administrator|e-?mail delivery/i;
const BOUNCE_SUBJECT =
  /undeliver|undelivered|mail failed|mail failure|returning (?:to )?sender|delivery (?:status notification|failure|failed|problem|report|notification)|returned mail|return(?:ed)? to sender|mail delivery (?:failed|failure|problem)|failure notice|non[- ]?delivery|nondeliverable|could not be (?:delivered|sent)|delivery has failed|not delivered|mail system error|message (?:was )?rejected|rejected:? (?:your )?(?:mail|message)|unzustellbar|nicht zugestellt|non remis|remise en échec|no (?:se )?(?:puede|pudo) entregar|non recapitabile|onbestelbaar|onbezorgbaar|olevererbart|kan inte levereras|kunde inte levereras|não (?:foi )?entregue|não foi possível entregar|niedostarczalne|nie można dostarczyć|не доставлено|недоставлен|kunne ikke leveres|unable to deliver|mail could not|delivery (?:warning|delayed)|warning: (?:could not send|message .* delayed)|message delayed|delayed mail|mail delivery (?:warning|delayed)|failed delivery|delivery error|permanent error|error sending|email address (?:is )?(?:invalid|not found)|address not found|bounced? (?:mail|message|email)|returned message|notification d'état de remise|nondelivery|送信できませんでした|未送達|配信不能|退信|无法投递|系统退信/i;
// Phrases that MTAs write and people do not.
const BOUNCE_BODY =
  /this is the mail system at host|could not be delivered to one or more (?:of its )?recipients|message was created automatically by mail delivery software|this is the qmail-send program|permanent fatal errors|following address(?:es)? (?:had permanent fatal errors|failed)|delivery to the following recipients? (?:failed|has failed|was unsuccessful)|delivery has failed to these recipients|your message (?:did not|didn't|couldn't|could not|wasn't|was not) (?:reach|be delivered|delivered)|message (?:could not|couldn't|cannot|can't) be delivered|was not delivered to|undeliverable|unable to deliver|could not deliver|delivery (?:failed|failure)|the original message was received at|returned mail: |transcript of session follows|failed to deliver|permanent error|permanent failure|has been (?:rejected|returned)|delivery attempts? (?:will continue|failed|has failed)|message (?:has been|was) (?:rejected|blocked|refused)|while talking to|in reply to (?:rcpt to|end of data|mail from|data) command|smtp error from remote|remote host said|host .{1,80} said:|rejected your message|address not found|mailbox unavailable|returned to (?:the )?sender|non-?delivery report|diagnostic[- ]code:|final-recipient:|nicht zugestellt|konnte nicht zugestellt|n'a pas pu être remis|no se pudo entregar|non è stato possibile recapitare|kon niet worden bezorgd|kunde inte levereras/i;
const STATUS_CODE = /\b([245])\.(\d{1,3})\.(\d{1,3})\b/;
const REPLY_CODE = /\b([45][0-9]{2})(?:[ -]|\s-\s)(?:[245]\.\d{1,3}\.\d{1,3}|[A-Za-z<#])/;

export function detectBounce(p: ParsedMessage, reasons: string[]): BounceInfo | 'notification' | null {
  const ses = sesNotification(p);
  if (ses?.type === 'delivery') {
    reasons.push('Amazon SES delivery notification: no bounce');
    return 'notification';
  }
  if (ses?.type === 'bounce') {
    reasons.push(`Amazon SES bounce notification (${ses.bounceType ?? 'type not given'})`);
    const text = `${ses.diagnosticCode ?? ''} ${ses.bounceSubType ?? ''}`;
    const fromText = reasonFromText(text);
    const hard =
      ses.bounceType === 'Permanent' &&
      (fromText ? fromText.type === 'hard' : /general|noemail/i.test(ses.bounceSubType ?? ''));
    reasons.push(
      `${hard ? 'hard' : 'soft'}: ${fromText?.reason ?? `SES ${ses.bounceType}/${ses.bounceSubType}`}`,
    );
    return {
      type: hard ? 'hard' : 'soft',
      status: ses.status,
      recipient: ses.recipient,
      diagnosticCode: ses.diagnosticCode,
      reportingMta: ses.reportingMta,
    };
  }

  const dsn = p.deliveryStatus;
  if (dsn && dsn.recipients.length > 0) {
    const ok = dsn.recipients.every(
      (r) => r.action === 'delivered' || r.action === 'relayed' || r.action === 'expanded',
    );
    if (ok) {
      reasons.push(
        'delivery status notification: every recipient delivered, relayed or expanded (a notification)',
      );
      return 'notification';
    }
    const failed = pickFailed(dsn.recipients);
    const recipient = failed.finalRecipient ?? failed.originalRecipient;
    reasons.push(
      `delivery status notification (${failed.action ?? 'no action'} for ${failed.finalRecipient ?? 'unknown recipient'})`,
    );
    return build(p, reasons, {
      status: failed.status,
      recipient,
      diagnosticCode: failed.diagnosticCode ?? lineAbout(recipient, p.text),
      reportingMta: dsn.reportingMta,
      delayed: failed.action === 'delayed',
    });
  }

  const signs = nonStandardSigns(p);
  if (!signs) return null;
  reasons.push(`non-standard bounce: ${signs.join(', ')}`);
  const failedHeader = firstAddress(p.headers['x-failed-recipients']);
  const diagnostic = diagnosticLine(p.text);
  return build(p, reasons, {
    status: STATUS_CODE.exec(diagnostic ?? '')?.[0] ?? STATUS_CODE.exec(p.text)?.[0] ?? null,
    recipient: failedHeader ?? recipientFromBody(p),
    diagnosticCode: diagnostic,
    reportingMta: dsn?.reportingMta ?? null,
    delayed: /delay|will (?:be retried|retry|continue)|still trying|warning/i.test(p.subject),
  });
}

// Where a bounce's own words end and the returned original begins (its headers would mislead).
const ORIGINAL_START =
  /^\s*(?:[-=|*]+\s*)?(?:original message|message text follows|(?:this is )?a copy of (?:your|the) (?:original )?message|below is a copy|message headers follow|returned message|headers of the original|original message headers|undelivered message (?:is )?attached|content-type: message\/rfc822)|^(?:Received|Return-Path|DKIM-Signature|X-Received):\s/im;

export function reportPart(text: string): string {
  const m = ORIGINAL_START.exec(text);
  return m && m.index > 0 ? text.slice(0, m.index) : text;
}

function pickFailed(recipients: DsnRecipient[]): DsnRecipient {
  return (
    recipients.find((r) => r.action === 'failed') ??
    recipients.find((r) => r.status?.startsWith('5')) ??
    recipients.find((r) => r.action === 'delayed' || r.status?.startsWith('4')) ??
    recipients.find((r) => r.action !== 'delivered' && r.action !== 'relayed' && r.action !== 'expanded') ??
    recipients[0]!
  );
}

/** Why a message without a DSN part is a bounce, or null when it is not one. */
function nonStandardSigns(p: ParsedMessage): string[] | null {
  const signs: string[] = [];
  const from = p.from?.address ?? '';
  const daemon = DAEMON_SENDER.test(from) || DAEMON_NAME.test(p.from?.name ?? '');
  if (daemon) signs.push(`sender ${from || p.from?.name}`);
  const failedHeader = p.headers['x-failed-recipients'] !== undefined;
  if (failedHeader) signs.push('X-Failed-Recipients header');
  const subject = BOUNCE_SUBJECT.test(p.subject);
  if (subject) signs.push('bounce subject');
  const body = BOUNCE_BODY.exec(p.text);
  if (body) signs.push(`body says "${body[0].trim()}"`);
  const code = STATUS_CODE.test(p.text) || REPLY_CODE.test(p.text);
  if (code) signs.push('status code in the body');
  const dsnPart = p.reportType === 'delivery-status' || p.deliveryStatus !== null;
  if (dsnPart) signs.push('delivery-status report');
  const ok =
    failedHeader ||
    dsnPart ||
    (daemon && (subject || body !== null || code)) ||
    (subject && (body !== null || code)) ||
    (body !== null && code && p.headers['auto-submitted'] !== undefined);
  return ok ? signs : null;
}

/** The line that carries the remote server's answer (reply code or enhanced status), unfolded. */
function diagnosticLine(text: string): string | null {
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\s*diagnostic-code:/i.test(line))
      return line.replace(/^\s*diagnostic-code:\s*(?:smtp;\s*)?/i, '').trim();
  }
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (REPLY_CODE.test(line) || STATUS_CODE.test(line)) {
      const next = lines[i + 1]?.trim() ?? '';
      return (next && !/^[A-Z][\w-]*:/.test(next) ? `${line.trim()} ${next}` : line.trim()).slice(0, 500);
    }
  }
  return null;
}

/** The body line that names the recipient and says what went wrong (DSNs without Diagnostic-Code). */
function lineAbout(recipient: string | null, text: string): string | null {
  if (!recipient) return null;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.toLowerCase().includes(recipient) || /^\s*(?:final|original)-recipient:/i.test(line)) continue;
    const rest = line
      .slice(line.toLowerCase().indexOf(recipient) + recipient.length)
      .replace(/^[>\s:.,]+/, '');
    const next = lines[i + 1]?.trim() ?? '';
    const said = rest.length >= 8 ? rest : `${rest} ${next}`.trim();
    if (said.length >= 8 && /[a-z]{3}/i.test(said)) return said.slice(0, 500);
  }
  return null;
}

function recipientFromBody(p: ParsedMessage): string | null {
  const own = new Set([p.from?.address, ...p.to.map((a) => a.address)].filter(Boolean));
  const text = p.text;
  const patterns = [
    /(?:final|original)-recipient:\s*(?:rfc822;)?\s*<?([^\s<>;@]{1,64}@[^\s<>;@]{1,255})/i,
    /^\s*<([^\s<>@]{1,64}@[^\s<>@]{1,255})>:?\s*$/m,
    /^\s*<?([^\s<>@]{1,64}@[^\s<>@]{1,255}?)>?:\s*$/m,
    /^\s{2,}<?([^\s<>@]{1,64}@[^\s<>@]{1,255}?)>?\s*$/m,
    /(?:to|for|recipient|address|user)[^@\n]{0,40}?<([^\s<>@]{1,64}@[^\s<>@]{1,255})>/i,
  ];
  for (const re of patterns) {
    const m = re.exec(text);
    const a = m ? firstAddress(m[1]) : null;
    if (a && !own.has(a)) return a;
  }
  const orig = p.original?.to.find((a) => !own.has(a));
  if (orig) return orig;
  for (const m of text.matchAll(/[^\s<>"'(),;:[\]@]{1,64}@[^\s<>"'(),;:[\]@]{1,255}\.[a-z]{2,}/gi)) {
    const a = m[0].toLowerCase();
    if (!own.has(a) && !/^(?:mailer-daemon|postmaster)@/i.test(a)) return a;
  }
  return null;
}

function build(
  p: ParsedMessage,
  reasons: string[],
  f: {
    status: string | null;
    recipient: string | null;
    diagnosticCode: string | null;
    reportingMta: string | null;
    delayed: boolean;
  },
): BounceInfo {
  const status = f.status ?? REPLY_CODE.exec(f.diagnosticCode ?? '')?.[1] ?? null;
  const decided = decide(p, f.diagnosticCode, status, f.delayed);
  reasons.push(`${decided.type} bounce: ${decided.reason}`);
  return {
    type: decided.type,
    status,
    recipient: f.recipient,
    diagnosticCode: f.diagnosticCode,
    reportingMta: f.reportingMta,
  };
}

const QUOTED_ANSWER = /\berror [45]\d\d[- ]'(.{8,}?)'/i;

function decide(
  p: ParsedMessage,
  diagnostic: string | null,
  status: string | null,
  delayed: boolean,
): { type: 'hard' | 'soft'; reason: string } {
  if (delayed) return { type: 'soft', reason: 'delivery delayed, still being retried' };
  if (status?.startsWith('4')) return { type: 'soft', reason: `temporary failure ${status}` };
  const report = reportPart(p.text);
  const context = `${diagnostic ?? ''}\n${report}`;
  // Amazon SES wraps the remote's answer in its own words ("5.1.0 - Unknown address error
  // 550-'5.7.1 … Access denied'"): the quoted answer is what the receiving server said.
  const said = diagnostic ? (QUOTED_ANSWER.exec(diagnostic)?.[1] ?? diagnostic) : null;
  const fromDiagnostic = said ? reasonFromText(said, context, status) : null;
  const fromStatus = reasonFromStatus(status);
  if (fromDiagnostic?.generic && fromStatus?.type === 'hard') return fromStatus;
  if (fromDiagnostic) return fromDiagnostic;
  if (fromStatus && fromStatus.type === 'hard') return fromStatus;
  const fromBody = reasonFromText(`${p.subject}\n${report}`, context, status);
  if (fromBody?.generic && fromStatus) return fromStatus;
  if (fromBody) return fromBody;
  return fromStatus ?? { type: 'soft', reason: 'no cause named: treated as temporary' };
}
