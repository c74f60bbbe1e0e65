// The words the conversation shows about model calls: the session's token usage
// and the "What was sent" text. Pure, so node tests can check them.

import { formatCount } from './format.js';

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
