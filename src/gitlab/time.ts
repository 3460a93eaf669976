/**
 * Parses a timestamp as GitLab sends it. Job hooks carried Ruby's
 * `Time#to_s` form ("2019-05-17 18:09:21 UTC") for years; newer GitLab
 * normalises to ISO 8601 with milliseconds ("2021-02-23T02:41:37.886Z").
 * Both reach us, so both parse; anything else is an error, not a guess.
 */
export function parseGitlabTime(value: string | null | undefined): Date | null {
  if (value === null || value === undefined || value === '') return null;

  const legacy =
    /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) (UTC|[+-]\d{4})$/.exec(value);
  const iso = legacy
    ? `${legacy[1]}T${legacy[2]}${legacy[3] === 'UTC' ? 'Z' : offset(legacy[3]!)}`
    : value;
  if (!legacy && !/^\d{4}-\d{2}-\d{2}T/.test(value)) {
    throw new Error(`unrecognised GitLab timestamp "${value}"`);
  }

  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) {
    throw new Error(`unrecognised GitLab timestamp "${value}"`);
  }
  return date;
}

function offset(compact: string): string {
  return `${compact.slice(0, 3)}:${compact.slice(3)}`;
}
