/**
 * The classifier on the shared real-world corpus (../shared/corpus beside the repository, read at run
 * time and never copied in): sisimai's bounces from dozens of MTAs, and email-reply-parser's human
 * replies wrapped into plain RFC 822 replies as the corpus README says. Prints the three figures and
 * holds floors a little under what the rules reach today, so a regression fails.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { classify } from '../../../src/domain/inbox/classify';
import { parseMessage } from '../../../src/domain/inbox/parse';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../../../../..');
const corpus = join(repoRoot, '../shared/corpus');
const present = existsSync(join(corpus, 'sisimai/expected.json'));
if (!present)
  console.log(`corpus test skipped: ${corpus} not found (../shared/corpus beside the repository)`);

interface SisimaiLabel {
  kind: 'bounce' | 'complaint' | 'auto_reply' | 'not_bounce' | null;
  hard?: boolean | null;
}
interface ReplyLabel {
  kind: 'reply';
  visible?: string;
}

function wrapReply(body: string): string {
  return [
    'From: Pat Prospect <pat@prospect.example>',
    'To: Sam Seller <sam@outreach-demo.example>',
    'Subject: Re: Quick question',
    'Date: Tue, 01 Dec 2026 10:00:00 +0000',
    'Message-ID: <reply-1@prospect.example>',
    'In-Reply-To: <made-up-1@outreach-demo.example>',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    body,
  ].join('\r\n');
}

const norm = (s: string) => s.replace(/\s+/g, ' ').trim();

describe.skipIf(!present)('classifier on the shared corpus', () => {
  it('recognises sisimai bounces with the right hard/soft, and the other kinds', async () => {
    const labels = JSON.parse(readFileSync(join(corpus, 'sisimai/expected.json'), 'utf8')) as Record<
      string,
      SisimaiLabel
    >;
    let bounces = 0;
    let bouncesRight = 0;
    let recognised = 0;
    let others = 0;
    let othersRight = 0;
    const wrong: string[] = [];
    for (const [file, label] of Object.entries(labels)) {
      if (file.startsWith('_') || !label.kind || !existsSync(join(corpus, 'sisimai', file))) continue;
      const c = classify(await parseMessage(readFileSync(join(corpus, 'sisimai', file))));
      if (label.kind === 'bounce') {
        bounces++;
        if (c.kind === 'bounce') recognised++;
        if (c.kind === 'bounce' && (c.bounce?.type === 'hard') === label.hard) bouncesRight++;
        else
          wrong.push(
            `${file}: want ${label.hard ? 'hard' : 'soft'} bounce, got ${c.kind} ${c.bounce?.type ?? ''}`,
          );
      } else {
        others++;
        const ok = label.kind === 'not_bounce' ? c.kind !== 'bounce' : c.kind === label.kind;
        if (ok) othersRight++;
        else wrong.push(`${file}: want ${label.kind}, got ${c.kind}`);
      }
    }
    const pct = (a: number, b: number) => `${((100 * a) / b).toFixed(1)} %`;
    console.log(
      `sisimai: ${bouncesRight}/${bounces} bounces right with hard/soft (${pct(bouncesRight, bounces)}), ` +
        `${recognised}/${bounces} recognised as bounces (${pct(recognised, bounces)}); ` +
        `other kinds ${othersRight}/${others}`,
    );
    if (wrong.length > 0) console.log(wrong.join('\n'));
    expect(recognised / bounces).toBeGreaterThanOrEqual(0.99);
    expect(bouncesRight / bounces).toBeGreaterThanOrEqual(0.95);
    expect(othersRight).toBe(others);
  });

  it('mistakes almost no human reply for anything else, and finds where its text starts', async () => {
    const labels = JSON.parse(
      readFileSync(join(corpus, 'email-reply-parser/expected.json'), 'utf8'),
    ) as Record<string, ReplyLabel>;
    let replies = 0;
    let mistaken = 0;
    let withText = 0;
    let textRight = 0;
    const wrong: string[] = [];
    for (const [file, label] of Object.entries(labels)) {
      if (file.startsWith('_') || !existsSync(join(corpus, 'email-reply-parser', file))) continue;
      const body = readFileSync(join(corpus, 'email-reply-parser', file), 'utf8');
      const c = classify(await parseMessage(wrapReply(body)));
      replies++;
      if (c.kind !== 'reply') {
        mistaken++;
        wrong.push(`${file}: a reply taken for ${c.kind} [${c.reasons.join(' | ')}]`);
      }
      if (label.visible !== undefined) {
        withText++;
        if (norm(c.text).startsWith(norm(label.visible))) textRight++;
        else wrong.push(`${file}: text starts ${JSON.stringify(norm(c.text).slice(0, 60))}`);
      }
    }
    console.log(
      `replies: ${mistaken}/${replies} mistaken (${((100 * mistaken) / replies).toFixed(1)} %); ` +
        `text start right ${textRight}/${withText}`,
    );
    if (wrong.length > 0) console.log(wrong.join('\n'));
    expect(mistaken / replies).toBeLessThanOrEqual(0.02);
    expect(textRight / withText).toBeGreaterThanOrEqual(0.9);
  });
});
