import { describe, expect, it } from 'vitest';
import { decodeEntities, htmlToText } from '../../src/domain/html-text';

describe('htmlToText', () => {
  it('returns an empty string for empty input', () => {
    expect(htmlToText('')).toBe('');
    expect(htmlToText(null)).toBe('');
    expect(htmlToText(undefined)).toBe('');
    expect(htmlToText('<p></p><div> </div>')).toBe('');
  });

  it('turns <br> into newlines (every form)', () => {
    expect(htmlToText('a<br>b<br/>c<BR />d')).toBe('a\nb\nc\nd');
    expect(htmlToText('Best,<br/><br/>John')).toBe('Best,\n\nJohn');
  });

  it('separates paragraphs, divs and headings by a blank line', () => {
    expect(htmlToText('<p>Hi Sarah,</p><p>Second</p>')).toBe('Hi Sarah,\n\nSecond');
    expect(htmlToText('<div>one</div><div>two</div>')).toBe('one\n\ntwo');
    expect(htmlToText('<h1>Title</h1>Body<h2>Sub</h2><p>x</p>')).toBe('Title\n\nBody\n\nSub\n\nx');
    expect(htmlToText('before<p>inside</p>after')).toBe('before\n\ninside\n\nafter');
    // Nested blocks do not pile up blank lines.
    expect(htmlToText('<div><div><p>a</p></div></div><div><p>b</p></div>')).toBe('a\n\nb');
  });

  it('puts list items on their own lines', () => {
    expect(htmlToText('<p>Intro</p><ul><li>one</li><li>two</li></ul><p>End</p>')).toBe(
      'Intro\n\n- one\n- two\n\nEnd',
    );
    expect(htmlToText('<ol><li>a</li><li>b<ul><li>c</li></ul></li></ol>')).toBe('1. a\n2. b\n  - c');
  });

  it('renders links as "label (href)" when they differ', () => {
    expect(htmlToText('See <a href="https://acme.com/pricing">our pricing</a>.')).toBe(
      'See our pricing (https://acme.com/pricing).',
    );
    expect(htmlToText("<a href='https://x.io'>https://x.io</a>")).toBe('https://x.io');
    expect(htmlToText('<a href=https://x.io>X</a>')).toBe('X (https://x.io)');
    expect(htmlToText('<a href="mailto:sarah@acme.com">sarah@acme.com</a>')).toBe('sarah@acme.com');
    expect(htmlToText('<a href="https://a.com/?x=1&amp;y=2">go</a>')).toBe('go (https://a.com/?x=1&y=2)');
    expect(htmlToText('<a href="#top">top</a> <a>plain</a>')).toBe('top plain');
    expect(htmlToText('<a href="https://x.io"><img src="logo.png"></a>')).toBe('https://x.io');
    expect(htmlToText('<a class="btn" href="https://x.io" title="a > b"><b>Book</b> a call</a>')).toBe(
      'Book a call (https://x.io)',
    );
  });

  it('strips other tags and keeps their text', () => {
    expect(htmlToText('<p>Hi <strong>Sarah</strong>, <em>welcome</em><span style="x">!</span></p>')).toBe(
      'Hi Sarah, welcome!',
    );
    expect(htmlToText('<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>')).toBe('a b\nc');
  });

  it('decodes entities once', () => {
    expect(htmlToText('A &amp; B &lt;tag&gt; &quot;q&quot; it&#39;s &#x41;&#66;')).toBe(
      'A & B <tag> "q" it\'s AB',
    );
    expect(htmlToText('&amp;lt; stays &amp;lt;')).toBe('&lt; stays &lt;');
    expect(htmlToText('a&nbsp;b')).toBe('a b');
    expect(htmlToText('&unknown; &#0; &#x110000;')).toBe('&unknown; \ufffd \ufffd');
    expect(decodeEntities('&mdash;&hellip;&rsquo;')).toBe('\u2014\u2026\u2019');
  });

  it('decodes named, numeric and hex entities beyond the basics (accents in the text part)', () => {
    expect(htmlToText('<p>Caf&eacute;</p>')).toBe('Café');
    expect(htmlToText('Caf&#233; Caf&#xE9; Caf&#XE9;')).toBe('Café Café Café');
    expect(htmlToText('Jos&eacute; M&uuml;ller &ndash; Stra&szlig;e &euro;5 &frac12; &Omega;')).toBe(
      'José Müller – Straße €5 ½ Ω',
    );
    expect(htmlToText('<a href="https://x.io/caf&eacute;">Men&uacute;</a>')).toBe('Menú (https://x.io/café)');
    expect(decodeEntities('&eacute;&#233;&#xe9;&nosuchentity;')).toBe('ééé&nosuchentity;');
  });

  it('collapses whitespace', () => {
    expect(htmlToText('<p>\n  Hi   there,\n\t friend  </p>\n\n<p>  next </p>')).toBe(
      'Hi there, friend\n\nnext',
    );
    expect(htmlToText('a <b>b</b> <i> c</i>')).toBe('a b c');
  });

  it('keeps whitespace inside <pre>', () => {
    expect(htmlToText('<p>x</p><pre>line 1\n  line 2</pre><p>y</p>')).toBe('x\n\nline 1\n  line 2\n\ny');
  });

  it('drops style, script, head, comments and doctype', () => {
    const html =
      '<!DOCTYPE html><html><head><title>Mail</title><style>p { color: red } a > b {}</style></head>' +
      '<body><!-- hidden --><script type="text/javascript">if (a < b) alert(1)</script><p>Visible</p>' +
      '<STYLE>.x{}</STYLE></body></html>';
    expect(htmlToText(html)).toBe('Visible');
    expect(htmlToText('a<style>never closed')).toBe('a');
    expect(htmlToText('a<!-- never closed')).toBe('a');
  });

  it('keeps a "<" that does not start a tag, drops an unterminated tag', () => {
    expect(htmlToText('I <3 you, 1 < 2 > 0')).toBe('I <3 you, 1 < 2 > 0');
    expect(htmlToText('text <p class="x')).toBe('text');
  });

  it('stays linear on hostile input', () => {
    const started = Date.now();
    htmlToText('<a'.repeat(50_000));
    htmlToText('<a title="'.repeat(20_000));
    htmlToText('<!'.repeat(50_000));
    htmlToText(`${'<p>x</p>'.repeat(20_000)}`);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
