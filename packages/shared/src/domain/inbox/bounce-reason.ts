/**
 * Hard or soft, from what a bounce says. API.md: hard when the address will never take mail
 * (unknown user, unknown host or domain, mailbox moved, "does not accept mail"), soft otherwise
 * (mailbox full, too large, policy or spam rejection, rate limits, delays, any 4.x.x) — whatever the
 * reply code's first digit. Phrases decide first (MTAs put the real reason in words and often a
 * generic 5.0.0 beside it); the enhanced status code decides when no phrase does.
 * A disabled, suspended, inactive or locked mailbox is soft (it can be switched back on; real-world
 * bounce tables such as sisimai's count it soft too), although API.md lists "disabled" under hard.
 * A recipient refused only after DATA without an address status (5.1.x) is a content filter: soft.
 */

export interface BounceReason {
  type: 'hard' | 'soft';
  /** A short name for the reasons list (`unknown user`, `mailbox full`, …). */
  reason: string;
  /** True for the catch-all soft causes (policy, network): a clear address status code beats them. */
  generic?: boolean;
}

// Soft causes that are specific enough to win over a hard-sounding word beside them
// ("Recipient address rejected: mailbox full", "User … temporarily locked").
const SOFT_SPECIFIC: [string, RegExp][] = [
  [
    'mailbox full',
    /mailbox (?:is )?full|mailbox.{0,20}(?:over|exceed\w*) (?:its |the )?(?:quota|storage|size)|over ?quota|quota (?:exceeded|full)|exceeded (?:the )?(?:storage|quota)|insufficient (?:system )?storage|user(?:'s)? (?:mailbox|account) is (?:over|full)|not enough (?:space|storage)|disk quota|mail ?box size limit|too much mail|inbox is full|full mailbox|mailfolder is full|exceeds? (?:his|her|the user'?s?) (?:storage|quota)|exceeds .*quota|storage allocation|out of storage/i,
  ],
  [
    'message too large',
    /message (?:is )?too (?:big|large)|size (?:limit|exceeds)|exceeds? (?:the )?(?:maximum|max) (?:message )?size|message size exceeds|message length exceeds|too large for|larger than (?:the )?(?:maximum|max)/i,
  ],
  [
    'sender rejected',
    /sender (?:address )?(?:rejected|refused|invalid|unknown|verify failed|domain (?:must exist|not found|unknown))|\b5\.1\.[78]\b|mail from (?:rejected|refused)/i,
  ],
  [
    'mailbox disabled or suspended',
    /(?:mailbox|account|user|address)[^\n]{0,60}?(?:is |has been |was )?(?:temporar\w* )?(?:disabled|inactive|suspended|locked|frozen|deactivated|discontinued|blocked|on hold)|inactive (?:user|account|mailbox)|disabled ?user/i,
  ],
  ['virus', /virus|malware|infected/i],
  [
    'not authorized',
    /(?:delivery|relay(?:ing)?|sender|client|you are|message) (?:is )?not (?:authori[sz]ed|permitted|allowed)/i,
  ],
  ['recipient preferences', /recipient(?:'s)? preferences|recipient has (?:blocked|chosen not)/i],
  [
    'spam or reputation',
    /spam|unsolicited|junk mail|blacklist|blocklist|block ?list|listed (?:in|on|at|by)|reputation|spamhaus|barracuda|\brbl\b|dnsbl|open relay|bulk mail/i,
  ],
  [
    'authentication',
    /dmarc|\bdkim\b|\bspf\b|authenticat\w*(?: \w+)? (?:fail|requir)|unauthenticated|reverse (?:dns|lookup)|\bptr\b|rdns|\bhelo\b|\behlo\b|starttls|\btls\b/i,
  ],
  [
    'rate limited',
    /rate limit|too many (?:messages|recipients|connections|emails|mails)|has exceeded (?:the|its|their) (?:limit|quota|rate)|sending limits?|throttl|receiving mail at a rate|connection limit/i,
  ],
];

const HARD: [string, RegExp][] = [
  [
    'unknown user',
    /user (?:is )?unknown|unknown (?:user|recipient|local[- ]part|mailbox|address|alias|account)|no such (?:user|recipient|mailbox|person|address|account|local user)|(?:user|recipient|mailbox|address|account|addressee)(?: name)? (?:does not|doesn't|did not|dosn't) exist|(?:user|recipient|mailbox|address|account|e-?mail account)(?: that you tried to reach)? (?:does not|doesn't) exist|(?:recipient|user|mailbox|address|addressee)(?: name)? (?:is )?(?:not found|unknown|not listed|invalid|not recognized|not recognised)|invalid (?:recipient|mailbox|user)|not a valid (?:user|recipient|mailbox)|is not a known user|no mailbox|mailbox not available|unrouteable address|unroutable address|recipientnotfound|recipnotfound|exrecipnotfound|no mailbox here|bad (?:destination )?(?:mailbox|recipient)|no (?:valid )?recipients?\b|account (?:does not|doesn't) exist|does not have an account|no longer (?:valid|available|exists?|active|in use)|address (?:is )?no longer|mailbox (?:has been )?(?:removed|deleted)|user (?:has been )?(?:removed|deleted)|doesn't have a .{1,30} account|this user doesn't have|unknown or illegal alias|no such local|addressee unknown|recipient address unknown|couldn'?t find (?:the|that) recipient|user doesn't exist|non-?existent (?:user|address|mailbox|recipient)|invalid user address|mailbox unavailable|user not local|not our customer|recipient address rejected|address (?:does not|doesn't) exist|address unknown|unknown e-?mail address|mailbox not present|no mailbox by that name|not found in (?:the )?directory|not known at this site|recipient is not local|recipient not ok|user missing home directory|user path does not exist|invalid or unknown virtual user|no such person|unable to find (?:user|username|recipient)|destination addresses? (?:were|was) unknown|archived recipient|recipient was unavailable to take delivery/i,
  ],
  [
    'unknown host or domain',
    /host (?:or domain name )?not found|host \S+ not found|dns lookup fail\w*|host unknown|unknown host|domain (?:name )?(?:not found|does not exist|doesn't exist|unknown)|no such domain|unknown domain|unrouteable (?:mail )?domain|unroutable (?:mail )?domain|name service error|domain (?:could not be|can ?not be) (?:found|resolved)|no mx (?:record|for)|mx (?:record )?(?:lookup|not found)|nxdomain|host name lookup failure|name or service not known|could not resolve|non-existent domain|unknown mail domain|bad destination system address|find a mail exchanger|domain is not reachable|no route to (?:host|domain)|mail for .{1,80} loops back to myself/i,
  ],
  [
    'mailbox moved',
    /\b(?:has|have) moved\b|\buser moved\b|address (?:has )?changed|forwarding address|new (?:e-?mail )?address|no longer at\b/i,
  ],
  [
    'domain does not accept mail',
    /does ?n[o']t accept (?:any )?(?:e-?)?mail|accepts? no mail|null mx|not accept(?:ing)? (?:any )?(?:e-?)?mail|domain does not receive|no mail(?:box)? (?:is )?accepted|not accepting (?:network )?messages|no longer accepts? (?:e-?)?mail/i,
  ],
];

// Everything else MTAs reject for: policy, content, network, delays.
const SOFT_GENERIC: [string, RegExp][] = [
  [
    'policy or content rejection',
    /policy|not (?:permitted|allowed|authori[sz]ed)|access denied|denied|blocked|refused|content (?:rejected|filter)|filtered|suspicious|prohibited|banned|phish|security|relay(?:ing)? (?:denied|not permitted)|not (?:a )?relay|unable to relay|not complian|rfc ?\d{3,4}|syntax|malformed|invalid (?:message|header|character|domain)/i,
  ],
  [
    'delay or network failure',
    /expired|timed? ?out|time-out|timeout|could not be delivered within|retry (?:time|timeout)|too long|deferred|delayed|connection (?:refused|reset|closed|lost|dropped)|network|system error|internal error|temporar\w* (?:failure|error|problem|unavailable|rejected)|try again|greylist|graylist|local error|resources|routing loop|mail loop|loop detected|too many hops|hop count/i,
  ],
];

/** The reason a text gives, or null when it names none; `context` is the whole report (for the SMTP stage). */
export function reasonFromText(
  text: string,
  context = text,
  status: string | null = null,
): BounceReason | null {
  if (O365_UNKNOWN.test(text))
    return { type: 'hard', reason: 'unknown user (Exchange Online directory check)' };
  for (const [reason, re] of SOFT_SPECIFIC) if (re.test(text)) return { type: 'soft', reason };
  for (const [reason, re] of HARD) {
    if (!re.test(text)) continue;
    if (reason === 'unknown user') {
      // "550 : User unknown", the address slot left empty: how KDDI/au (ezweb.ne.jp, au.com) and
      // others refuse a sender their user's filter blocks; a missing address is "550 <addr>: …".
      if (EMPTY_ADDRESS_SLOT.test(text))
        return { type: 'soft', reason: 'recipient filter ("550 : User unknown", no address named)' };
      // A recipient refused only after the content was sent is a content filter, not a missing
      // address (unless the status code names the address, or the words say the account is absent).
      if (AFTER_DATA.test(context) && !/^[45]\.1\./.test(status ?? '') && !NO_ACCOUNT.test(text))
        return { type: 'soft', reason: 'recipient refused after DATA (content filter)' };
    }
    return { type: 'hard', reason };
  }
  for (const [reason, re] of SOFT_GENERIC) if (re.test(text)) return { type: 'soft', reason, generic: true };
  return null;
}

// Exchange Online answers an address its directory does not hold with this (not a policy block).
const O365_UNKNOWN = /5\.4\.1 .{0,80}recipient address rejected: access denied/i;

// Words about the account itself, which providers that answer only after DATA (Yahoo) use.
const NO_ACCOUNT = /do(?:es)?n'?t have an? \S+(?: \S+)? account|account (?:does not|doesn't) exist/i;

const EMPTY_ADDRESS_SLOT = /\b5\d\d\s+:\s*user unknown/i;

const AFTER_DATA =
  /in\s+reply\s+to\s+(?:end\s+of\s+)?data\s+command|after\s+end\s+of\s+data|>>> data\b|after\s+data\b|\bdata\s+command\b|smtp command:?\s*\n\s*data\b/i;

/** From the enhanced status code (`5.1.1`) alone. */
export function reasonFromStatus(status: string | null): BounceReason | null {
  const m = /^([245])\.(\d{1,3})\.(\d{1,3})$/.exec(status ?? '');
  if (!m) return null;
  const [, cls, subj, det] = m;
  if (cls === '4') return { type: 'soft', reason: `temporary failure ${status}` };
  if (cls !== '5') return null;
  const code = `${subj}.${det}`;
  if (code === '1.1' || code === '1.3' || code === '1.10')
    return { type: 'hard', reason: `bad destination mailbox ${status}` };
  if (code === '1.2' || code === '4.4') return { type: 'hard', reason: `bad destination system ${status}` };
  if (code === '1.6') return { type: 'hard', reason: `mailbox moved ${status}` };
  if (code === '3.2') return { type: 'hard', reason: `system not accepting mail ${status}` };
  return { type: 'soft', reason: `permanent failure ${status} with no address-level cause` };
}
