/**
 * Hard or soft, from what a bounce says. API.md: hard when the address will never take mail
 * (unknown user, unknown host or domain, mailbox moved, "does not accept mail"), soft otherwise
 * (mailbox full, too large, policy or spam rejection, rate limits, delays, any 4.x.x) — whatever the
 * reply code's first digit. Phrases decide first (MTAs put the real reason in words and often a
 * generic 5.0.0 beside it); the enhanced status code decides when no phrase does.
 */

export interface BounceReason {
  type: 'hard' | 'soft';
  /** A short name for the reasons list (`unknown user`, `mailbox full`, …). */
  reason: string;
}

// Soft first: a policy block or a full mailbox often also says "rejected" or "unavailable".
const SOFT: [string, RegExp][] = [
  [
    'mailbox full',
    /mailbox (?:is )?full|mailbox.{0,20}(?:over|exceed\w*) (?:its |the )?(?:quota|storage|size)|over ?quota|quota (?:exceeded|full)|exceeded (?:the )?(?:storage|quota)|insufficient (?:system )?storage|user(?:'s)? (?:mailbox|account) is (?:over|full)|not enough (?:space|storage)|disk quota|mail ?box size limit|too much mail|inbox is full|full mailbox|mailfolder is full|exceeds? (?:his|her|the user'?s?) (?:storage|quota)|exceeds .*quota|storage allocation|out of storage/i,
  ],
  [
    'message too large',
    /message (?:is )?too (?:big|large)|size (?:limit|exceeds)|exceeds? (?:the )?(?:maximum|max) (?:message )?size|message size exceeds|message length exceeds|too large for|larger than (?:the )?(?:maximum|max)/i,
  ],
  [
    'rate limited',
    /rate limit|too many (?:messages|recipients|connections|emails|mails)|try again later|temporarily (?:deferred|rejected|unavailable|blocked)|has exceeded (?:the|its|their) (?:limit|quota|rate)|sending limits?|throttl|receiving mail at a rate|exceeded (?:the )?(?:max(?:imum)?|number|daily)|connection limit/i,
  ],
  [
    'spam or policy rejection',
    /spam|junk mail|blacklist|blocklist|block ?list|listed (?:in|on|at|by)|reputation|spamhaus|barracuda|\brbl\b|dnsbl|policy|not (?:permitted|allowed|authori[sz]ed)|access denied|denied|blocked|refused|content (?:rejected|filter)|filtered|virus|malware|dmarc|dkim|\bspf\b|authentication|reverse (?:dns|lookup)|\bptr\b|rdns|helo|unauthenticated|suspicious|prohibited|banned|phish|security|starttls|\btls\b|relay(?:ing)? (?:denied|not permitted|access denied)|not (?:a )?relay|unable to relay|mailbox (?:is )?(?:temporarily )?(?:disabled|inactive|suspended|locked|frozen)|account (?:is |has been )?(?:disabled|suspended|inactive|locked|frozen|expired|deactivated)|expired|timed? ?out|time-out|timeout|could not be delivered within|retry (?:time|timeout)|delivery (?:time|temporarily)|deferred|delayed|connection (?:refused|reset|closed|lost|dropped)|network|system error|internal error|temporary (?:failure|error|problem)|local error|resources|try again|greylist|graylist|not complian|rfc ?\d{3,4}|syntax|header|malformed|invalid (?:message|header|character)|routing loop|mail loop|loop detected|too many hops|hop count/i,
  ],
];

const HARD: [string, RegExp][] = [
  [
    'unknown user',
    /user (?:is )?unknown|unknown (?:user|recipient|local[- ]part|mailbox|address|alias|account)|no such (?:user|recipient|mailbox|person|address|account|local user)|(?:user|recipient|mailbox|address|account|addressee)(?: name)? (?:does not|doesn't|did not|dosn't) exist|(?:user|recipient|mailbox|address|account|e-?mail account)(?: that you tried to reach)? (?:does not|doesn't) exist|(?:recipient|user|mailbox|address|addressee) (?:not found|unknown|not listed|invalid)|(?:mailbox|user|recipient|address) (?:is )?(?:not found|unavailable|unknown|invalid|nonexistent|non-existent)|invalid (?:recipient|mailbox|address|user)|not a valid (?:user|recipient|mailbox|address)|is not a known user|no mailbox|mailbox not available|unrouteable address|unroutable address|address rejected|recipientnotfound|recipient rejected|bad (?:destination )?(?:mailbox|recipient|address)|no (?:valid )?recipients?|no account|not our customer|account (?:does not|doesn't) exist|does not have an account|no longer (?:valid|available|exists?|active|in use|with)|address (?:is )?no longer|mailbox (?:has been )?(?:removed|deleted)|user (?:has been )?(?:removed|deleted)|not a valid (?:e-?mail|account)|doesn't have a .{1,30} account|not listed in|this user doesn't have|unknown or illegal alias|no such local|addressee unknown|is not valid|recipient address unknown|couldn'?t find (?:the|that) recipient|user doesn't exist|non-?existent|undeliverable address|permanent failure for one or more recipients/i,
  ],
  [
    'unknown host or domain',
    /host (?:or domain name )?not found|host unknown|unknown host|domain (?:name )?(?:not found|does not exist|doesn't exist|is not valid|unknown)|no such domain|unknown domain|unrouteable (?:mail )?domain|unroutable (?:mail )?domain|name service error|domain (?:could not be|can ?not be) (?:found|resolved)|no mx (?:record|for)|mx (?:record )?(?:lookup|not found)|dns (?:error|lookup failed|name)|nxdomain|host name lookup failure|name or service not known|could not resolve|domain .{0,40}not exist|invalid domain|non-existent domain|no route to host|unknown mail domain|bad destination system address|mail for .{1,80} loops back to myself/i,
  ],
  [
    'mailbox moved',
    /(?:has |have )?moved|address (?:has )?changed|forwarding address|new (?:e-?mail )?address|no longer at/i,
  ],
  [
    'domain does not accept mail',
    /does ?n[o']t accept (?:any )?(?:e-?)?mail|accepts? no mail|null mx|not accept(?:ing)? (?:any )?(?:e-?)?mail|domain does not receive|no mail(?:box)? (?:is )?accepted/i,
  ],
];

/** The reason a text gives, or null when it names none. */
export function reasonFromText(text: string): BounceReason | null {
  for (const [reason, re] of HARD) if (re.test(text) && !softOverride(text)) return { type: 'hard', reason };
  for (const [reason, re] of SOFT) if (re.test(text)) return { type: 'soft', reason };
  return null;
}

/** A hard-sounding phrase next to a clear soft cause (full, spam, policy) is soft. */
function softOverride(text: string): boolean {
  return SOFT[0]![1].test(text) || SOFT[1]![1].test(text);
}

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
  if (code === '1.2') return { type: 'hard', reason: `bad destination system ${status}` };
  if (code === '1.6') return { type: 'hard', reason: `mailbox moved ${status}` };
  return { type: 'soft', reason: `permanent failure ${status} with no address-level cause` };
}
