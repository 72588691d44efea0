// Pieces of openshift-apiserver's table printers shared by the image resources: relative times in
// go-units wording and the width-limited, newest-first tag list.

import { statusTagMap } from '../api/conversion/imagestream.js';
import { timeValue } from '../api/conversion/json.js';
import type { ImageStreamStatus } from '../api/types.js';

/** go-units HumanDuration: "Less than a second", "About a minute", "3 hours", "2 days", ... */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.trunc(ms / 3_600_000 + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(Math.trunc(ms / 3_600_000) / 24 / 365)} years`;
}

/** "<duration> ago" for a metav1.Time, "" when unset. */
export function timeAgo(time: string | null | undefined, now: Date): string {
  const t = timeValue(time);
  if (!Number.isFinite(t)) return '';
  return `${humanDuration(now.getTime() - t)} ago`;
}

/** The newest items[0].created among the status tags, or null. */
export function latestTagEventTime(status: ImageStreamStatus | undefined): string | null {
  let latest: string | null = null;
  let latestMs = Number.NEGATIVE_INFINITY;
  for (const list of statusTagMap(status).values()) {
    const created = list.items?.[0]?.created;
    const ms = timeValue(created);
    if (ms > latestMs) {
      latestMs = ms;
      latest = created ?? null;
    }
  }
  return latest;
}

/** Status tag names, newest items[0].created first (to the second), ties by name. */
export function sortStatusTags(status: ImageStreamStatus | undefined): string[] {
  const tags = [...statusTagMap(status).entries()].map(([name, list]) => {
    const ms = timeValue(list.items?.[0]?.created);
    return { name, created: Number.isFinite(ms) ? Math.round(ms / 1000) : Number.NEGATIVE_INFINITY };
  });
  tags.sort((a, b) => (a.created !== b.created ? (a.created > b.created ? -1 : 1) : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return tags.map((t) => t.name);
}

/**
 * Joins tag names with "," up to about `preferredWidth` characters, always at least one, allowing
 * 25% overshoot when stopping would leave more than 25% unused; the rest becomes " + N more...".
 */
export function printTagsUpToWidth(status: ImageStreamStatus | undefined, preferredWidth: number): string {
  const all = sortStatusTags(status);
  let tags = all;
  let remaining = preferredWidth;
  for (let i = 0; i < all.length; i++) {
    const len = Buffer.byteLength(all[i] ?? '', 'utf8');
    remaining -= len + 1;
    if (remaining >= 0) continue;
    if (i === 0) {
      tags = all.slice(0, 1);
      break;
    }
    const margin = Math.trunc(preferredWidth / 4);
    if (margin < remaining + len && margin >= -remaining) continue;
    tags = all.slice(0, i);
    break;
  }
  const hidden = all.length - tags.length;
  return hidden > 0 ? `${tags.join(',')} + ${hidden} more...` : tags.join(',');
}
