/**
 * `node.dirs`: Tahoe-LAFS directories on the door. A directory is named by a
 * dircap (`URI:DIR2:…`, `URI:DIR2-MDMF:…`, their `-RO` forms, `URI:DIR2-CHK:…`,
 * `URI:DIR2-LIT:…`, optionally `@<clubId>`) and a path below it: names joined
 * by `/` (empty segments ignored, each name NFC-normalised as Tahoe does).
 * The CLI and the gateway's `/uri/<dircap>/<path>` routes are thin layers over it.
 */
import type { JsonObject, NodeJson } from '../dirnode/index.js'
import type { PutOptions } from './api.js'

export type DirFormatName = 'sdmf' | 'mdmf'

/** Tahoe's `replace=`: true (default) replaces, false refuses an existing name, 'only-files' refuses replacing a directory. */
export type ReplaceMode = boolean | 'only-files'

/** Where a directory operation runs, as for uploads: named servers, a club, or the cap's `@<clubId>` hint. */
export interface DirOptions {
  servers?: string[]
  club?: string
  signal?: AbortSignal
}

export interface MkdirOptions extends DirOptions {
  /** The new directory's format (default 'sdmf', as Tahoe's). */
  format?: DirFormatName
  /** An immutable directory (URI:DIR2-CHK:, or URI:DIR2-LIT: when empty): its children are fixed at creation and must be immutable. */
  immutable?: boolean
  /** Initial children: name → cap (a write cap, read cap or both), with metadata stored as given. */
  children?: Record<string, DirLinkTarget>
}

export type DirLinkTarget = string | { writeCap?: string, readCap?: string, metadata?: JsonObject }

export interface DirCreated {
  /** The write cap of a mutable directory, the read cap of an immutable one. */
  cap: string
  readCap: string
  verifyCap?: string
  /** `cap` with `@<club id>`, when made through a club. */
  hintedCap?: string
  /** mkdirAt: false when the directory was already there (nothing changed). */
  created: boolean
}

export type DirChildType = 'dirnode' | 'filenode' | 'unknown'

/** One child of a directory, as its parent's entry says. */
export interface DirChild {
  name: string
  type: DirChildType
  /** Only when the parent was opened with its write cap and the child is writable. */
  writeCap?: string
  readCap?: string
  verifyCap?: string
  mutable?: boolean
  /** Files: Tahoe's format name. */
  format?: 'CHK' | 'LIT' | 'SDMF' | 'MDMF'
  /** Immutable files: from the cap. Mutable files: not known without reading them. */
  size?: number
  /** The link's metadata (`tahoe.linkcrtime`, `tahoe.linkmotime`, and any user keys). */
  metadata: JsonObject
}

export interface DirListing {
  /** Absent when the directory was opened read-only (a read-only cap, or an immutable directory). */
  writeCap?: string
  readCap: string
  verifyCap?: string
  mutable: boolean
  format: 'sdmf' | 'mdmf' | 'chk' | 'lit'
  readOnly: boolean
  /** Sorted by name (code point order). */
  children: DirChild[]
}

/** What a path names: the directory itself (empty path) or a child with its link. */
export type DirNodeInfo =
  | { type: 'dirnode', listing: DirListing, /** Absent for the root. */ link?: DirChild }
  | { type: 'filenode' | 'unknown', link: DirChild }

export interface LinkOptions extends DirOptions {
  replace?: ReplaceMode
  /** User metadata for the link (the `tahoe` part is the directory's). */
  metadata?: JsonObject
}

export interface PutFileOptions extends Omit<PutOptions, 'onProgress'>, LinkOptions {
  /** Upload as a mutable file (Tahoe's `mutable=true`), or give its format. An existing mutable file at the path is always overwritten in place. */
  mutable?: boolean
  format?: DirFormatName
  onProgress?: PutOptions['onProgress']
}

export interface PutFileResult {
  /** The file's cap as linked: a mutable file's write cap, else the CHK/LIT read cap. */
  cap: string
  /** The link existed and was replaced (or a mutable file overwritten in place). */
  replaced: boolean
  size: number
}

export interface MoveOptions extends DirOptions {
  replace?: ReplaceMode
  /** Another directory to move into (Tahoe's `t=relink&to_dir=`); default the same root. */
  toDir?: string
}

export interface DirsApi {
  /** A new directory linked nowhere (Tahoe's `POST /uri?t=mkdir`); its cap is the only way to it. */
  mkdir: (opts?: MkdirOptions) => Promise<DirCreated>
  /** Makes sure `path` below `dircap` is a directory, creating missing ones (Tahoe's `POST /uri/$DIRCAP/a/b?t=mkdir`). A file in the way is an error. */
  mkdirAt: (dircap: string, path: string, opts?: MkdirOptions) => Promise<DirCreated>
  /** The directory at `path` (default: `dircap` itself) with its children. */
  list: (dircap: string, path?: string, opts?: DirOptions) => Promise<DirListing>
  /** What `path` names: a directory with its listing, or a file/unknown child with its link. */
  stat: (dircap: string, path: string, opts?: DirOptions) => Promise<DirNodeInfo>
  /** Tahoe's `?t=json` value for `path` (a read-only directory shows no write caps). */
  json: (dircap: string, path?: string, opts?: DirOptions) => Promise<NodeJson>
  /** Links an existing cap at `path`; the parents must exist. */
  link: (dircap: string, path: string, childCap: DirLinkTarget, opts?: LinkOptions) => Promise<DirChild>
  /** Removes the link at `path` (the file or directory itself stays where its shares are); resolves to the removed link. */
  unlink: (dircap: string, path: string, opts?: DirOptions & { mustBe?: 'file' | 'directory' }) => Promise<DirChild>
  /** Renames or moves a link (Tahoe's `t=relink`/`tahoe mv`): link at the new place first, then unlink the old. */
  move: (dircap: string, from: string, to: string, opts?: MoveOptions) => Promise<DirChild>
  /**
   * Links many children into the directory at `path` in one publish (Tahoe's
   * `t=set_children`): what `cp -r` uses after uploading a folder's files.
   */
  linkMany: (dircap: string, path: string, children: Record<string, DirLinkTarget>, opts?: DirOptions & { replace?: boolean }) => Promise<DirChild[]>
  /**
   * The version of a mutable directory (seqnum and root hash of the file holding it) from one
   * servermap update, without reading it: equal to a version seen before means unchanged.
   * Undefined for an immutable directory (it never changes) or when no version is recoverable.
   */
  version: (dircap: string, opts?: DirOptions) => Promise<{ seqnum: number, roothash: string } | undefined>
  /** Uploads and links a file at `path`, creating missing parent directories (Tahoe's `PUT /uri/$DIRCAP/path`). */
  putFile: (dircap: string, path: string, data: Uint8Array | AsyncIterable<Uint8Array>, opts?: PutFileOptions) => Promise<PutFileResult>
}
