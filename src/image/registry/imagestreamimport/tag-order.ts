// Which tags of a repository an import takes first when it may take only some: "latest", then
// minor versions ("5.1", "v5.1", "v5.1-rc1") newest first, then full versions ("5.1.3",
// "v5.1.3-beta") newest first, then everything else in lexicographic order.

interface Version {
  nums: number[];
  /** Pre-release identifiers ("rc1" of "5.1-rc1"); a release sorts after its pre-releases. */
  pre: string[];
}

const MINOR = /^v?(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?$/;
const FULL = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

interface Ranked {
  tag: string;
  /** 0 latest, 1 minor, 2 full, 3 other. */
  group: number;
  version?: Version;
}

function rank(tag: string): Ranked {
  if (tag === 'latest') return { tag, group: 0 };
  const full = FULL.exec(tag);
  if (full) return { tag, group: 2, version: { nums: [full[1], full[2], full[3]].map(Number), pre: full[4] ? full[4].split('.') : [] } };
  const minor = MINOR.exec(tag);
  if (minor) return { tag, group: 1, version: { nums: [minor[1], minor[2]].map(Number), pre: minor[3] ? minor[3].split('.') : [] } };
  return { tag, group: 3 };
}

function compareIdentifiers(a: string, b: string): number {
  const na = /^\d+$/.test(a);
  const nb = /^\d+$/.test(b);
  if (na && nb) return Number(a) - Number(b);
  if (na !== nb) return na ? -1 : 1; // numeric identifiers sort before alphanumeric ones (semver)
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Semver precedence: >0 when a is newer. */
function compareVersions(a: Version, b: Version): number {
  for (let i = 0; i < Math.max(a.nums.length, b.nums.length); i++) {
    const d = (a.nums[i] ?? 0) - (b.nums[i] ?? 0);
    if (d) return d;
  }
  if (!a.pre.length || !b.pre.length) return (a.pre.length ? -1 : 0) + (b.pre.length ? 1 : 0);
  for (let i = 0; i < Math.max(a.pre.length, b.pre.length); i++) {
    const x = a.pre[i];
    const y = b.pre[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const d = compareIdentifiers(x, y);
    if (d) return d;
  }
  return 0;
}

/** The tags in import priority order (a new array). */
export function prioritizeTags(tags: readonly string[]): string[] {
  return tags
    .map(rank)
    .sort((a, b) => {
      if (a.group !== b.group) return a.group - b.group;
      if (a.version && b.version) {
        const d = compareVersions(b.version, a.version);
        // Equal versions ("5.1" and "v5.1"): the unprefixed spelling first.
        if (d) return d;
      }
      return a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0;
    })
    .map((r) => r.tag);
}
