/**
 * The language of a short text, ISO 639-1: scripts first (kana → ja, Han → zh, Cyrillic → ru,
 * Greek → el, Hangul → ko), then counts of each Latin-script language's commonest words. Null when
 * fewer than two such words decide it: a one-word "Thanks!" says too little.
 */

const STOPWORDS: Record<string, string> = {
  en: "the and you for are with this that have not will your would our from can please thanks thank interested what when how is it be me we do i hi hello good sounds let's talk just if at on of to my about next week call time yes but or could should was were there here",
  de: 'und der die das ist nicht ich sie wir ein eine mit für sind bitte danke uns ihr ihnen haben kein keine auch aber oder wie was wann gerne',
  fr: 'le la les et est pas je vous nous une des pour avec merci bonjour être sur dans ce qui que mais ou plus intéressé suis',
  es: 'el la los las y es no que de por para con una gracias hola estoy estamos nos muy pero más interesa usted su del',
  it: 'il lo gli e è non che di per con una grazie sono siamo ci molto ma più interessa ciao della del',
  pt: 'o os e é não que de por para com uma obrigado obrigada olá estou estamos nos muito mas mais interessa você do da',
  nl: 'de het een en is niet ik je wij we met voor zijn bedankt graag dank ons maar of hoe wat wanneer geen heb mijn tot van op te dat ben',
  sv: 'och är inte jag du vi med för att det en ett tack hej vår men eller hur vad när ingen',
  da: 'og er ikke jeg du vi med for at det en et tak hej vores men eller hvordan hvad når ingen',
  no: 'og er ikke jeg du vi med for at det en et takk hei vår men eller hvordan hva når ingen',
  fi: 'ja on ei minä sinä me kanssa että se kiitos hei mutta tai miten mitä milloin olen olemme',
  pl: 'i jest nie ja ty my z dla że to się dziękuję dzień dobry ale lub jak co kiedy jestem',
};

const WORDS = new Map<string, Set<string>>();
for (const [lang, list] of Object.entries(STOPWORDS)) {
  for (const w of list.split(' ')) {
    const set = WORDS.get(w) ?? new Set<string>();
    set.add(lang);
    WORDS.set(w, set);
  }
}

// Letters that only some languages use break ties among close relatives.
const MARKS: [string, RegExp][] = [
  ['de', /[äöüß]/],
  ['fr', /[àâçèêëîïôœùûÿ]/],
  ['es', /[ñ¿¡]/],
  ['pt', /[ãõ]/],
  ['pl', /[ąćęłńśźż]/],
  ['sv', /[å]/],
  ['da', /[æø]/],
  ['fi', /[äö]/],
];

export function detectLanguage(text: string): string | null {
  const sample = text.slice(0, 3000);
  if (/[\u3040-\u30ff]/.test(sample)) return 'ja';
  if (/[\u4e00-\u9fff]/.test(sample)) return 'zh';
  if (/[\uac00-\ud7af]/.test(sample)) return 'ko';
  const cyr = sample.match(/[\u0400-\u04ff]/g)?.length ?? 0;
  const lat = sample.match(/[a-z]/gi)?.length ?? 0;
  if (cyr > lat) return /[іїєґ]/i.test(sample) ? 'uk' : 'ru';
  if ((sample.match(/[\u0370-\u03ff]/g)?.length ?? 0) > lat) return 'el';

  const score: Record<string, number> = {};
  for (const w of sample.toLowerCase().match(/\p{L}+/gu) ?? []) {
    const langs = WORDS.get(w);
    if (!langs) continue;
    for (const l of langs) score[l] = (score[l] ?? 0) + 1 / langs.size;
  }
  for (const [lang, re] of MARKS) if (re.test(sample.toLowerCase())) score[lang] = (score[lang] ?? 0) + 0.5;
  const ranked = Object.entries(score).sort((a, b) => b[1] - a[1]);
  const best = ranked[0];
  if (!best || best[1] < 1.5) return null;
  return best[0];
}
