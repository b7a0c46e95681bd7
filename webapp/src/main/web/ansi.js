// Turns a log line with ANSI colour codes (SGR: ESC [ ... m) into spans with classes, dropping other escapes.
import { html } from './ui.js';

const SGR = /\x1b\[([0-9;]*)m/g;
const OTHER_ESCAPES = /\x1b\[[0-9;?]*[A-Za-ln-z]/g;

export function ansiSpans(text) {
  const clean = text.replace(OTHER_ESCAPES, '');
  const spans = [];
  let style = { fg: null, bg: null, bold: false };
  let last = 0;
  const push = (chunk) => {
    if (!chunk) return;
    const classes = [style.fg != null ? 'fg' + style.fg : '', style.bg != null ? 'bg' + style.bg : '', style.bold ? 'bold' : '']
      .filter(Boolean).join(' ');
    spans.push(classes ? html`<span class=${classes}>${chunk}</span>` : chunk);
  };
  for (const match of clean.matchAll(SGR)) {
    push(clean.slice(last, match.index));
    last = match.index + match[0].length;
    const codes = match[1] === '' ? [0] : match[1].split(';').map(Number);
    for (const code of codes) {
      if (code === 0) style = { fg: null, bg: null, bold: false };
      else if (code === 1) style = { ...style, bold: true };
      else if (code === 22) style = { ...style, bold: false };
      else if (code >= 30 && code <= 37) style = { ...style, fg: code - 30 };
      else if (code >= 90 && code <= 97) style = { ...style, fg: code - 90 + 8 };
      else if (code === 39) style = { ...style, fg: null };
      else if (code >= 40 && code <= 47) style = { ...style, bg: code - 40 };
      else if (code === 49) style = { ...style, bg: null };
    }
  }
  push(clean.slice(last));
  return spans;
}
