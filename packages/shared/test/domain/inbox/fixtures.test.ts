/**
 * Our own labelled fixture set (test/fixtures/inbox/*.eml + labels.json): replies in four languages,
 * HTML-only Gmail/Outlook replies, out-of-office and other auto-replies, DSNs shaped like Postfix,
 * Exim, Exchange, Gmail and SES ones, non-DSN bounces, ARF complaints and success DSNs. Prints the
 * classifier's agreement (every labelled field must match for a message to count) and asserts it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { classify } from '../../../src/domain/inbox/classify';
import { parseMessage } from '../../../src/domain/inbox/parse';
import type { Classification } from '../../../src/domain/inbox/types';

const dir = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/inbox');

interface Label {
  kind: Classification['kind'];
  replyIntent?: Classification['replyIntent'];
  isOoo?: boolean;
  isAutoReply?: boolean;
  oooUntil?: string | null;
  language?: string;
  textStarts?: string;
  bounceType?: 'hard' | 'soft';
  recipient?: string;
  feedbackType?: string;
}

const labels = JSON.parse(readFileSync(join(dir, 'labels.json'), 'utf8')) as Record<string, Label>;

export function disagreements(label: Label, c: Classification): string[] {
  const out: string[] = [];
  const check = (field: string, want: unknown, got: unknown) => {
    if (want !== undefined && want !== got)
      out.push(`${field}: want ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
  };
  check('kind', label.kind, c.kind);
  check('replyIntent', label.replyIntent, c.replyIntent);
  check('isOoo', label.isOoo, c.isOoo);
  check('isAutoReply', label.isAutoReply, c.isAutoReply);
  check('oooUntil', label.oooUntil, c.oooUntil);
  check('language', label.language, c.language);
  check('bounce.type', label.bounceType, c.bounce?.type);
  check('recipient', label.recipient, c.bounce?.recipient ?? c.complaint?.recipient);
  check('feedbackType', label.feedbackType, c.complaint?.feedbackType);
  if (label.textStarts !== undefined && !c.text.startsWith(label.textStarts))
    out.push(
      `text: want start ${JSON.stringify(label.textStarts)}, got ${JSON.stringify(c.text.slice(0, 60))}`,
    );
  return out;
}

describe('classifier agreement on our fixtures', () => {
  it('has at least 60 labelled messages, every file labelled', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.eml'));
    expect(files.length).toBeGreaterThanOrEqual(60);
    expect(files.sort()).toEqual(Object.keys(labels).sort());
  });

  it('agrees on at least 95 % of them', async () => {
    const wrong: string[] = [];
    let agree = 0;
    for (const [file, label] of Object.entries(labels)) {
      const c = classify(await parseMessage(readFileSync(join(dir, file))));
      const d = disagreements(label, c);
      if (d.length === 0) agree++;
      else wrong.push(`${file}: ${d.join('; ')} [${c.reasons.join(' | ')}]`);
    }
    const total = Object.keys(labels).length;
    console.log(`inbox fixtures: ${agree}/${total} agree (${((100 * agree) / total).toFixed(1)} %)`);
    if (wrong.length > 0) console.log(wrong.join('\n'));
    expect(agree / total).toBeGreaterThanOrEqual(0.95);
  });

  it('every decision carries its reasons', async () => {
    for (const file of Object.keys(labels)) {
      const c = classify(await parseMessage(readFileSync(join(dir, file))));
      expect(c.reasons.length, file).toBeGreaterThan(0);
      expect(c.isOoo && c.isAutoReply, file).toBe(false);
    }
  });
});
