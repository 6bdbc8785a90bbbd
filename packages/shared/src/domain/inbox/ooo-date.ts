/**
 * The return date an out-of-office reply names ("back on March 5", "bis 05.03.2025", "jusqu'au
 * 5 mars", "hasta el 5 de marzo", "2025-03-05", "3月5日"), as `YYYY-MM-DD`. The message's own date is
 * the reference: a date without a year is its next occurrence, dates before the message or more than a
 * year after it are ignored. A date named as the day back wins, then one after an until word, else the latest.
 */

const MONTHS: Record<string, number> = {};
const MONTH_NAMES: string[][] = [
  // en, de, fr, es, it, pt, nl, sv/da/no, pl (genitive), ru (genitive), fi
  [
    'january',
    'jan',
    'januar',
    'janvier',
    'janv',
    'enero',
    'ene',
    'gennaio',
    'gen',
    'janeiro',
    'januari',
    'stycznia',
    'января',
    'tammikuuta',
  ],
  [
    'february',
    'feb',
    'februar',
    'février',
    'fevrier',
    'févr',
    'fev',
    'febrero',
    'febbraio',
    'fevereiro',
    'februari',
    'lutego',
    'февраля',
    'helmikuuta',
  ],
  [
    'march',
    'mar',
    'märz',
    'maerz',
    'mars',
    'marzo',
    'março',
    'marco',
    'maart',
    'mars',
    'marts',
    'marca',
    'марта',
    'maaliskuuta',
    'mrz',
  ],
  ['april', 'apr', 'avril', 'avr', 'abril', 'abr', 'aprile', 'kwietnia', 'апреля', 'huhtikuuta'],
  ['may', 'mai', 'mayo', 'maggio', 'mag', 'maio', 'mei', 'maj', 'maja', 'мая', 'toukokuuta'],
  ['june', 'jun', 'juni', 'juin', 'junio', 'giugno', 'giu', 'junho', 'czerwca', 'июня', 'kesäkuuta'],
  [
    'july',
    'jul',
    'juli',
    'juillet',
    'juil',
    'julio',
    'luglio',
    'lug',
    'julho',
    'lipca',
    'июля',
    'heinäkuuta',
  ],
  [
    'august',
    'aug',
    'août',
    'aout',
    'agosto',
    'ago',
    'augustus',
    'augusti',
    'sierpnia',
    'августа',
    'elokuuta',
  ],
  [
    'september',
    'sep',
    'sept',
    'septembre',
    'septiembre',
    'settembre',
    'set',
    'setembro',
    'września',
    'сентября',
    'syyskuuta',
  ],
  [
    'october',
    'oct',
    'oktober',
    'okt',
    'octobre',
    'octubre',
    'ottobre',
    'ott',
    'outubro',
    'out',
    'października',
    'октября',
    'lokakuuta',
  ],
  ['november', 'nov', 'novembre', 'noviembre', 'novembro', 'listopada', 'ноября', 'marraskuuta'],
  [
    'december',
    'dec',
    'dezember',
    'dez',
    'décembre',
    'decembre',
    'déc',
    'diciembre',
    'dic',
    'dicembre',
    'dezembro',
    'grudnia',
    'декабря',
    'joulukuuta',
  ],
];
MONTH_NAMES.forEach((names, i) => {
  for (const n of names) MONTHS[n] = i + 1;
});
const MONTH_RE = Object.keys(MONTHS)
  .sort((a, b) => b.length - a.length)
  .join('|');

// Words after which a date is the return date (or the last day away).
// Words after which a date is the day the person is back; then words after which it is the last day away.
const RETURN_CUE =
  /(?:back|return\w*|again|wieder|zurück|retour|de vuelta|regres\w*|volver\w*|rientr\w*|retorno|de volta|terug|tillbaka|åter|tilbage|tilbake|wracam|powrót|вернусь|palaan|回来|返回)[^.!?\n]{0,25}$/i;
// "Ab dem 21.12. bin ich wieder erreichbar": the return word after the date.
const RETURN_AFTER = /^[^.!?\n\d]{0,30}\b(?:wieder|zurück|weer|terug)\b/i;
const UNTIL_CUE =
  /(?:until|till|through|thru|after|bis|ab dem|ab|jusqu|à partir|a partir|hasta|fino|dal|até|tot|vanaf|tills?|do dnia|до|asti|至|到)[^.!?\n]{0,25}$/i;

const MONTH_DAY = new RegExp(
  `\\b(${MONTH_RE})\\.?\\s+(\\d{1,2})(?:st|nd|rd|th)?\\b(?:,?\\s+(20\\d{2}))?`,
  'giu',
);
const DAY_MONTH = new RegExp(
  `\\b(\\d{1,2})(?:st|nd|rd|th|er|º|°|\\.)?\\s*(?:of\\s+|de\\s+|d'|di\\s+)?(${MONTH_RE})(?![\\p{L}])\\.?(?:,?\\s*(?:de\\s+|del\\s+)?(20\\d{2}))?`,
  'giu',
);

interface Found {
  index: number;
  /** Where the written date ends. */
  end: number;
  y: number | null;
  m: number;
  d: number;
}

export function findReturnDate(text: string, messageDate: string | null, reasons: string[]): string | null {
  const ref = messageDate ? new Date(messageDate) : null;
  const found = scan(text);
  const dates: { index: number; iso: string; cue: 0 | 1 | 2 }[] = [];
  for (const f of found) {
    const iso = resolve(f, ref);
    if (!iso) continue;
    const before = text.slice(Math.max(0, f.index - 40), f.index);
    const after = text.slice(f.end, f.end + 40);
    const back = RETURN_CUE.test(before) || RETURN_AFTER.test(after);
    dates.push({ index: f.index, iso, cue: back ? 2 : UNTIL_CUE.test(before) ? 1 : 0 });
  }
  if (dates.length === 0) {
    reasons.push('no return date found');
    return null;
  }
  const cued = dates.find((d) => d.cue === 2) ?? dates.find((d) => d.cue === 1);
  const pick = cued ?? dates.reduce((a, b) => (b.iso > a.iso ? b : a));
  reasons.push(
    `return date ${pick.iso}${cued ? (cued.cue === 2 ? ' (named as the day back)' : ' (named as the last day away)') : ' (latest date named)'}`,
  );
  return pick.iso;
}

function scan(text: string): Found[] {
  const out: Found[] = [];
  const add = (x: RegExpExecArray, y: number | null, m: number, d: number) => {
    if (m >= 1 && m <= 12 && d >= 1 && d <= 31)
      out.push({ index: x.index, end: x.index + x[0].length, y, m, d });
  };
  for (const x of text.matchAll(/\b(20\d{2})-(\d{1,2})-(\d{1,2})\b/g)) add(x, +x[1]!, +x[2]!, +x[3]!);
  for (const x of text.matchAll(/(?<![\d.])(\d{1,2})\.\s?(\d{1,2})\.(?:\s?(\d{2,4}))?(?![\d])/g))
    add(x, year(x[3]), +x[2]!, +x[1]!);
  for (const x of text.matchAll(/(?<![\d/])(\d{1,2})\/(\d{1,2})(?:\/(\d{2,4}))?(?![\d/])/g)) {
    const a = +x[1]!;
    const b = +x[2]!;
    // Day first unless the text reads American-English (month first) and the numbers allow it.
    const monthFirst =
      b > 12 ||
      (a <= 12 && /\b(?:the|and|you|will|until|back)\b/i.test(text) && !/\b(?:de|le|el|bis|il)\b/.test(text));
    if (monthFirst) add(x, year(x[3]), a, b);
    else add(x, year(x[3]), b, a);
  }
  for (const x of text.matchAll(MONTH_DAY)) add(x, year(x[3]), MONTHS[x[1]!.toLowerCase()]!, +x[2]!);
  for (const x of text.matchAll(DAY_MONTH)) add(x, year(x[3]), MONTHS[x[2]!.toLowerCase()]!, +x[1]!);
  for (const x of text.matchAll(/(?:(20\d{2})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]/g))
    add(x, year(x[1]), +x[2]!, +x[3]!);
  return out.sort((a, b) => a.index - b.index);
}

function year(s: string | undefined): number | null {
  if (!s) return null;
  const n = +s;
  return n < 100 ? 2000 + n : n;
}

function resolve(f: Found, ref: Date | null): string | null {
  const refDay = ref ? Date.UTC(ref.getUTCFullYear(), ref.getUTCMonth(), ref.getUTCDate()) : null;
  let y = f.y;
  if (y === null) {
    if (refDay === null || !ref) return null;
    y = ref.getUTCFullYear();
    if (Date.UTC(y, f.m - 1, f.d) < refDay - 7 * 86_400_000) y += 1;
  }
  const t = Date.UTC(y, f.m - 1, f.d);
  const check = new Date(t);
  if (check.getUTCMonth() !== f.m - 1) return null; // 31 February and the like
  if (refDay !== null && (t < refDay - 86_400_000 || t > refDay + 400 * 86_400_000)) return null;
  return check.toISOString().slice(0, 10);
}
