/**
 * Text from the internet made fit to show as text: the one place control characters are taken out, for the
 * desktop's notifications, headless mode's lines on a terminal or in a journal, and ntfy's headers alike.
 *
 * What goes: C0 controls (ESC starts the terminal's escape and OSC sequences, BEL rings, backspace rewrites what was
 * shown), DEL and the C1 controls (U+0080 to U+009F: CSI and OSC in their one-character forms), and the
 * bidirectional marks, overrides and isolates, which make a text read as something else ("gnp.exe" shown as
 * "exe.png"). Tabs and line breaks are left to the caller ({@link oneLine} turns them into spaces); a lone surrogate
 * is no text (D-Bus, toast XML and UTF-8 output need valid UTF-16), so it goes too.
 */

/** Whether a code unit is a control character (tabs and line breaks are handled apart) or a bidirectional control. */
function isControl(c: number): boolean {
  return (
    (c <= 0x1f && c !== 0x09 && c !== 0x0a && c !== 0x0d) ||
    (c >= 0x7f && c <= 0x9f) ||
    c === 0x061c ||
    c === 0x200e ||
    c === 0x200f ||
    (c >= 0x202a && c <= 0x202e) ||
    (c >= 0x2066 && c <= 0x2069)
  );
}

/** The text without control characters, bidirectional controls and lone surrogates; tabs and line breaks stay. */
export function withoutControls(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += text.slice(i, i + 2);
        i++;
      }
      continue;
    }
    if ((c >= 0xdc00 && c <= 0xdfff) || isControl(c)) continue;
    out += text[i];
  }
  return out;
}

/**
 * {@link withoutControls}, on one line: tabs and line breaks (and the Unicode line and paragraph separators) become
 * one space, so a text cannot start a line of its own in a log that reads one entry per line.
 */
export function oneLine(text: string): string {
  return withoutControls(text).replace(/[\t\r\n\u2028\u2029]+/g, ' ');
}
