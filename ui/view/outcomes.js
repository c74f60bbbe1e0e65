// How each run outcome (events.js OUTCOMES) looks: a short label for the card
// header, a tone for colour, and an icon.

export const OUTCOME_STYLE = {
  success: { label: 'Done', tone: 'success', icon: 'check' },
  failed: { label: 'Did not finish', tone: 'danger', icon: 'failed' },
  out_of_memory: { label: 'Ran out of memory', tone: 'warning', icon: 'memory' },
  timed_out: { label: 'Time limit reached', tone: 'warning', icon: 'clock' },
  cancelled: { label: 'Stopped', tone: 'neutral', icon: 'ban' },
  docker_failure: { label: 'Could not run', tone: 'danger', icon: 'box' },
};

const UNKNOWN = { label: 'Finished', tone: 'neutral', icon: 'info' };

export function outcomeStyle(outcome) {
  return Object.prototype.hasOwnProperty.call(OUTCOME_STYLE, outcome) ? OUTCOME_STYLE[outcome] : UNKNOWN;
}
