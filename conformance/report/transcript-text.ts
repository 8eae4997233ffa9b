/** Transcript entries as text lines (for JUnit and HTML); the Transcript class prints live ones the same way. */
import { Transcript, type TranscriptEntry } from '../sim/transcript.js';

export function formatTranscript(entries: readonly TranscriptEntry[], limit = 200): string {
  const t = new Transcript();
  t.entries.push(...entries);
  return t.format(limit);
}
