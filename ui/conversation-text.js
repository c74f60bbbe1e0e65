// The words the conversation shows about model calls: token usage per call and
// per session, and the "What was sent" text. Pure, so node tests can check them.

import { formatCount, formatDuration } from './format.js';

/** "812 tokens in · 95 out · 2.1 s", or '' before the call ends. Unknown counts say so. */
export function callUsageText(answer) {
  if (!answer || answer.phase !== 'finished' || !answer.usage) return '';
  const { inputTokens, outputTokens } = answer.usage;
  const parts = [];
  if (inputTokens === null && outputTokens === null) {
    if (answer.error) return '';
    parts.push('The server did not say how many tokens this used');
  } else {
    parts.push(`${inputTokens === null ? '?' : formatCount(inputTokens)} tokens in`);
    parts.push(`${outputTokens === null ? '?' : formatCount(outputTokens)} out`);
  }
  if (typeof answer.durationMs === 'number') parts.push(formatDuration(answer.durationMs));
  return parts.join(' · ');
}

/** The composer's running total: "This conversation: 1,212 tokens in · 100 out (2 model calls)".
 *  Calls, not questions: the agent asks the model several times per question. */
export function sessionUsageText(usage) {
  if (!usage || !(usage.calls > 0)) return '';
  const calls = `${formatCount(usage.calls)} ${usage.calls === 1 ? 'model call' : 'model calls'}`;
  let text = `This conversation: ${formatCount(usage.inputTokens)} tokens in · ${formatCount(usage.outputTokens)} out (${calls})`;
  if (usage.callsWithoutCounts > 0) {
    text += `; ${formatCount(usage.callsWithoutCounts)} without counts from the server`;
  }
  return text;
}

/** "What was sent": a one-line note on the data in it, and the text itself, word for word. */
export function describeSent(sent) {
  const rows = sent.sampleRowsSent || 0;
  let note =
    rows > 0
      ? `The model received this text: your dataset's columns, statistics and ${rows} sample ${rows === 1 ? 'row' : 'rows'}, never the file.`
      : 'The model received this text: your dataset\'s columns and statistics, no rows, never the file.';
  if (sent.columnsLeftOut > 0) note += ` ${formatCount(sent.columnsLeftOut)} columns were only counted.`;
  const text = sent.system ? `Instructions:\n${sent.system}\n\nMessage:\n${sent.prompt}` : sent.prompt;
  return { note, text };
}
