/**
 * The intent of a reply's new text: unsubscribe → not interested (also "not now") → interested →
 * neutral, with phrases in en, de, fr, es, it, pt, nl, sv, da, no, pl. Negation is handled: a positive
 * phrase (`interested`, `unsubscribe`, `remove me`) with a negating word just before it does not
 * count ("not interested" is never interested, "don't unsubscribe me" is not an unsubscribe), and a
 * negated interest phrase counts as not interested.
 */
import type { ReplyIntent } from './types';

type Rule = [label: string, re: RegExp];

// Negating words in the languages below; checked in the few words before a positive phrase.
const NEGATOR =
  /(?:^|[\s,;(])(?:not|no|never|n't|dont|don't|do not|didn't|won't|nicht|nie|kein\w*|pas|ne|n'|jamais|nunca|tampoco|non|não|nao|niet|geen|nooit|inte|ikke|ej|aldrig|ei|nie|нет|не)(?:[\s,;]|$)/i;

const UNSUBSCRIBE: Rule[] = [
  ['unsubscribe', /\bunsubscrib\w*|\bopt(?:ing)?[- ]?out\b/i],
  [
    'remove me',
    /\b(?:remove|delete|take) (?:me|us|my (?:e-?mail|address|name|details))\b(?: (?:from|off))?/i,
  ],
  [
    'stop emailing',
    /\b(?:stop|quit) (?:e-?mailing|emailing|sending|contacting|writing|spamming|messaging)|(?:don'?t|do not|never) (?:e-?mail|contact|write to|message) (?:me|us) (?:again|anymore|any more)|(?:don'?t|do not) (?:e-?mail|contact|write to) (?:me|us)\b|no (?:more|further) (?:e-?mails|emails|messages|contact)|leave me alone|off (?:your|the) (?:mailing )?list/i,
  ],
  [
    'abmelden (de)',
    /\babmelden\b|\baustragen\b|abbestell|keine (?:weiteren |weitere )?(?:e-?mails|mails|nachrichten|kontaktaufnahme)|(?:aus|von) (?:ihrem|ihrer|dem|der) (?:verteiler|liste|mailingliste|datenbank) (?:entfernen|löschen|nehmen)|nicht mehr (?:kontaktieren|anschreiben|schreiben)|löschen sie (?:meine|mich)/i,
  ],
  [
    'désabonner (fr)',
    /désabonn|desabonn|désinscri|desinscri|retirez[- ]moi|supprimez[- ](?:moi|mon adresse)|ne (?:plus|pas) (?:me )?(?:contacter|recevoir|m'envoyer|m'écrire)|ne me (?:contactez|écrivez|recontactez) plus|plus de (?:mails|e-mails|messages)/i,
  ],
  [
    'darse de baja (es)',
    /dar(?:me|nos)? de baja|darse de baja|elimin(?:ar|en|adme)(?:me)? de (?:su|la|vuestra) lista|no me (?:escriba|escriban|contacte|contacten|envíe|envíen) más|dejen? de (?:escribir|enviar|contactar)|cancelar (?:la )?suscripci|quitar(?:me)? de (?:su|la) lista/i,
  ],
  [
    'other languages',
    /disiscriv|cancellami|rimuovetemi|descadastr|descadastrar|uitschrijv|afmelden|verwijder mij|avregistrera|avsluta prenumeration|afmeld|meld meg av|wypisz|rezygnuję z subskrypcji/i,
  ],
];

const NOT_INTERESTED: Rule[] = [
  [
    'not interested',
    /\bnot (?:really |currently |at all |even )?interested|\bno (?:real )?interest\b|\bnot (?:a (?:good )?fit|for us|relevant|something we need|looking)|\bno thanks?\b|\bno,? thank you\b|\bwe(?:'re| are) (?:all set|good|fine|covered|happy with)|\bpass on this|\bno need\b|\bnot (?:right )?now\b|\bnot at (?:this|the moment|the present)|\bnot (?:this|the right) (?:time|year|quarter)|\bmaybe (?:later|next (?:year|quarter|month))|(?:reach|circle|check) (?:back|out) (?:in|next|later)|\bbad timing\b|\bnot the right (?:time|person)|\bdecline\b|\bnot a priority|\bno budget\b|\bwe already (?:have|use|work with)/i,
  ],
  [
    'kein Interesse (de)',
    /kein(?:erlei)? (?:echtes )?interesse|nicht interessiert|kein bedarf|nicht (?:relevant|passend|für uns)|derzeit nicht|momentan nicht|aktuell nicht|zurzeit nicht|im moment nicht|jetzt nicht|nein,? danke|vielleicht später|wir sind (?:versorgt|gut aufgestellt)/i,
  ],
  [
    'pas intéressé (fr)',
    /pas (?:du tout |vraiment )?intéress|ne (?:m'|nous )intéresse(?:nt)? pas|aucun intérêt|pas (?:pour le moment|maintenant|pour l'instant|en ce moment)|non merci|peut-être plus tard|pas (?:pertinent|d'actualité)|pas besoin/i,
  ],
  [
    'no interesado (es)',
    /no (?:estoy|estamos|estaría|estaríamos) interesad|no (?:me|nos) interesa|sin interés|no por (?:ahora|el momento)|ahora no|en este momento no|no,? gracias|quizás más adelante|tal vez más adelante|no (?:lo )?necesitamos/i,
  ],
  [
    'other languages',
    /non (?:sono|siamo) interessat|non (?:mi|ci) interessa|non ora|no,? grazie|não (?:tenho|temos) interesse|não (?:estou|estamos) interessad|agora não|não,? obrigad|geen interesse|niet geïnteresseerd|nee,? bedankt|inte intresserad|ikke interesseret|ikke interessert|nej tack|nei takk|nej tak|nie jestem zainteresowan|nie jesteśmy zainteresowan|nie,? dziękuję|не интересно|нам не интересно/i,
  ],
];

const INTERESTED: Rule[] = [
  [
    'interested',
    /\binterested\b|\bsounds (?:good|great|interesting)|\blet'?s (?:talk|chat|connect|meet|schedule|set up|do it)|\b(?:schedule|book|set up|arrange|have) (?:a |some )?(?:call|meeting|demo|chat|time)|\b(?:send|share) (?:me |us )?(?:more )?(?:info|information|details|a proposal|pricing)|\btell me more\b|\blearn more\b|\bhappy to (?:chat|talk|connect|meet|hop)|\bwould love to\b|\bi'?d love to\b|\bcall me\b|\bgive me a call\b|\bwhat (?:times?|days?) (?:work|suit)|\bmy calendar\b|\bcalendly\b|\bi'?m in\b|\bcount (?:me|us) in\b|\bkeen to\b|\bworth a (?:chat|call|conversation)/i,
  ],
  [
    'interessiert (de)',
    /interessiert|interesse (?:an|haben)|klingt (?:gut|spannend|interessant)|gerne (?:mehr|einen termin|ein gespräch|telefonieren)|(?:termin|gespräch|telefonat) (?:vereinbaren|ausmachen)|schicken sie (?:mir |uns )?(?:mehr )?(?:infos|informationen|unterlagen)|rufen sie (?:mich )?an/i,
  ],
  [
    'intéressé (fr)',
    /intéress[ée]e?s?\b|m'intéresse|nous intéresse|volontiers|avec plaisir|(?:prendre|fixer|organiser|planifier) (?:un )?(?:rendez-vous|rdv|appel|call|créneau)|envoyez[- ]moi (?:plus d')?(?:informations|infos|détails)|appelez[- ]moi|ça me (?:dit|va)/i,
  ],
  [
    'interesado (es)',
    /interesad[oa]s?|me interesa|nos interesa|con gusto|(?:agendar|programar|concertar|tener) una (?:llamada|reunión|cita)|envíe(?:me)? más información|llámame|llámeme|suena (?:bien|interesante)|hablemos/i,
  ],
  [
    'other languages',
    /interessat[oi]|mi interessa|ci interessa|volentieri|interessad[oa]|tenho interesse|temos interesse|geïnteresseerd|graag meer|intresserad|interesseret|interessert|zainteresowan|интересно|с удовольствием/i,
  ],
];

function matchRules(
  text: string,
  rules: Rule[],
  negatable: boolean,
): { label: string; negated: boolean } | null {
  let negatedHit: { label: string; negated: boolean } | null = null;
  for (const [label, re] of rules) {
    if (!re.test(text)) continue;
    for (const m of text.matchAll(globalOf(re))) {
      if (!negatable) return { label, negated: false };
      const before =
        text
          .slice(Math.max(0, m.index - 30), m.index)
          .split(/[.!?\n]/)
          .pop() ?? '';
      const words = before.trim().split(/\s+/).slice(-4).join(' ');
      if (NEGATOR.test(` ${words} `)) negatedHit ??= { label, negated: true };
      else return { label, negated: false };
    }
  }
  return negatedHit;
}

const globals = new Map<RegExp, RegExp>();
function globalOf(re: RegExp): RegExp {
  let g = globals.get(re);
  if (!g) {
    g = new RegExp(re.source, `${re.flags}g`);
    globals.set(re, g);
  }
  return g;
}

export function classifyIntent(text: string, language: string | null, reasons: string[]): ReplyIntent {
  const t = text.replace(/[’‘]/g, "'").slice(0, 4000);
  const unsub = matchRules(t, UNSUBSCRIBE, true);
  if (unsub && !unsub.negated) {
    reasons.push(`intent unsubscribe: ${unsub.label}`);
    return 'unsubscribe';
  }
  if (unsub?.negated) reasons.push(`negated unsubscribe phrase (${unsub.label}) ignored`);
  const not = matchRules(t, NOT_INTERESTED, false);
  if (not) {
    reasons.push(`intent not_interested: ${not.label}`);
    return 'not_interested';
  }
  const yes = matchRules(t, INTERESTED, true);
  if (yes && !yes.negated) {
    reasons.push(`intent interested: ${yes.label}`);
    return 'interested';
  }
  if (yes?.negated) {
    reasons.push(`intent not_interested: negated "${yes.label}"`);
    return 'not_interested';
  }
  reasons.push(
    `intent neutral: no interest, refusal or unsubscribe wording${language ? ` (${language})` : ''}`,
  );
  return 'neutral';
}
