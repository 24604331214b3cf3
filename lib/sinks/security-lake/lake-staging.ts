/**
 * Where the forwarder stages a security-lake destination's events until the compactor makes the
 * lake's files of them (lake-compactor.ts): a bucket and a key prefix.
 */
export interface LakeStaging {
  readonly bucket: string;
  /** Ends with '/' or is ''. */
  readonly prefix: string;
}

/** What a staged object's key names: its custom source, UTC day and content hash. */
export interface StagedName {
  readonly source: string;
  readonly eventDay: string;
  readonly hash: string;
}

const STAGED_NAME = /^([A-Za-z0-9_-]{1,20})\/eventDay=(\d{8})\/([0-9a-f]{32})\.jsonl\.gz$/;
const MANIFEST_NAME = /^[0-9a-f]{32}\.json$/;

/** The folder of the staged objects: `<prefix>staged/`. */
export function stagedFolder(staging: LakeStaging): string {
  return `${staging.prefix}staged/`;
}

/**
 * A staged object's key: `<prefix>staged/<source>/eventDay=<yyyyMMdd>/<hash>.jsonl.gz`, the hash
 * that of the events it holds (security-lake-layout.ts fileHashOf), so a retried message
 * overwrites the object it staged before instead of adding one.
 */
export function stagedKeyOf(staging: LakeStaging, source: string, eventDay: string, hash: string): string {
  return `${stagedFolder(staging)}${source}/eventDay=${eventDay}/${hash}.jsonl.gz`;
}

/** The source, day and hash a staged key names; undefined for a key of another shape (not the forwarder's). */
export function stagedNameOf(staging: LakeStaging, key: string): StagedName | undefined {
  const folder = stagedFolder(staging);
  if (!key.startsWith(folder)) return undefined;
  const match = STAGED_NAME.exec(key.slice(folder.length));
  return match === null ? undefined : { source: match[1]!, eventDay: match[2]!, hash: match[3]! };
}

/** The folder of the tombstones: `<prefix>compacted/`. */
export function tombstoneFolder(staging: LakeStaging): string {
  return `${staging.prefix}compacted/`;
}

/**
 * The tombstone of a staged object the compactor took: `<prefix>compacted/<source>/eventDay=<d>/<hash>`.
 * While it lasts, the same object staged again (a message SQS handed out once more after its
 * events reached the lake) is known for a duplicate.
 */
export function tombstoneKeyOf(staging: LakeStaging, name: StagedName): string {
  return `${tombstoneFolder(staging)}${name.source}/eventDay=${name.eventDay}/${name.hash}`;
}

/**
 * The tombstones of one custom source and day: `<prefix>compacted/<source>/eventDay=<d>/`. A run
 * lists only those of the days it has staged objects of, so that its requests follow what is
 * staged and not the tombstones of the whole retention.
 */
export function tombstoneDayFolder(staging: LakeStaging, source: string, eventDay: string): string {
  return `${tombstoneFolder(staging)}${source}/eventDay=${eventDay}/`;
}

const TOMBSTONE_DAY_FOLDER = /^eventDay=(\d{8})\/$/;

/** The day a source's tombstone folder (`eventDay=<d>/` under `<prefix>compacted/<source>/`) holds; undefined for a folder of another shape. */
export function tombstoneFolderDay(sourceFolder: string, folder: string): string | undefined {
  if (!folder.startsWith(sourceFolder)) return undefined;
  return TOMBSTONE_DAY_FOLDER.exec(folder.slice(sourceFolder.length))?.[1];
}

/**
 * Where the compactor notes when it last looked for tombstones past their retention:
 * `<prefix>tombstone-expiry/`, outside `compacted/` (whose lifecycle rule would expire the note).
 * The time is the key's name, so that one listing reads it and a note that is not there yet is
 * no error (a GET of an absent key is refused outright where the listing is held to a prefix).
 */
export function tombstoneExpiryFolder(staging: LakeStaging): string {
  return `${staging.prefix}tombstone-expiry/`;
}

/** The note of an expiry pass at `time` (epoch milliseconds): `<prefix>tombstone-expiry/<time>`. */
export function tombstoneExpiryKeyOf(staging: LakeStaging, time: number): string {
  return `${tombstoneExpiryFolder(staging)}${time}`;
}

/** The time a note names; undefined for a key of another shape. */
export function tombstoneExpiryTimeOf(staging: LakeStaging, key: string): number | undefined {
  const folder = tombstoneExpiryFolder(staging);
  if (!key.startsWith(folder)) return undefined;
  const name = key.slice(folder.length);
  return /^\d{1,16}$/.test(name) ? Number(name) : undefined;
}

/** The folder of the manifests, each an unfinished compaction: `<prefix>manifests/`. */
export function manifestFolder(staging: LakeStaging): string {
  return `${staging.prefix}manifests/`;
}

/** A manifest's key: `<prefix>manifests/<outputHash>.json`. */
export function manifestKeyOf(staging: LakeStaging, outputHash: string): string {
  return `${manifestFolder(staging)}${outputHash}.json`;
}

/** Whether a key under the manifest folder is a manifest's (and not, say, a console's folder marker). */
export function isManifestKey(staging: LakeStaging, key: string): boolean {
  const folder = manifestFolder(staging);
  return key.startsWith(folder) && MANIFEST_NAME.test(key.slice(folder.length));
}
