/**
 * A large drop target for one domain's folder. In the desktop app a dropped folder is used where it is
 * (its real path); in a browser the files are read from the drop and uploaded into the workspace.
 */
import { type ReactNode, useEffect, useId, useRef, useState } from 'react';
import type { DuetApi } from '#contract';

export interface DroppedFiles {
  /** The dropped folder's name. */
  name: string;
  /** Each file with its path relative to the drop, starting with the folder's name: `aerial/001.png`. */
  files: { file: File; relativePath: string }[];
}

export type FolderSource = { kind: 'path'; path: string } | { kind: 'files'; dropped: DroppedFiles };

const LOOSE_FILES = 'dropped-images';

/** Reads everything under a directory entry of a drop (readEntries answers in chunks). */
async function walk(entry: FileSystemEntry, prefix: string, out: DroppedFiles['files']): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    out.push({ file, relativePath: `${prefix}${entry.name}` });
    return;
  }
  if (!entry.isDirectory) return;
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  for (;;) {
    const chunk = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (chunk.length === 0) break;
    for (const child of chunk) await walk(child, `${prefix}${entry.name}/`, out);
  }
}

/** Groups files by their top folder; files without one go into a folder of their own. */
export function groupByTopFolder(files: { file: File; relativePath: string }[]): DroppedFiles {
  const tops = new Set(files.map((f) => (f.relativePath.includes('/') ? f.relativePath.split('/')[0] : '')));
  if (tops.size === 1 && !tops.has('')) {
    return { name: [...tops][0] as string, files };
  }
  return {
    name: LOOSE_FILES,
    files: files.map((f) => ({ file: f.file, relativePath: `${LOOSE_FILES}/${f.relativePath}` })),
  };
}

export async function readDrop(dt: DataTransfer, api: DuetApi): Promise<FolderSource> {
  const list = Array.from(dt.files);
  if (api.transport === 'electron') {
    const first = list[0];
    const path = first ? api.getPathForFile(first) : null;
    if (!path) throw new Error('Drop a folder from your file manager.');
    return { kind: 'path', path };
  }
  // Entries must be taken while the event is live; reading them can wait.
  const items = Array.from(dt.items ?? []).filter((i) => i.kind === 'file');
  const entries = items.map((i) => i.webkitGetAsEntry?.() ?? null);
  const files: DroppedFiles['files'] = [];
  const looseFiles: File[] = [];
  for (let i = 0; i < items.length; i++) {
    const entry = entries[i];
    if (entry?.isDirectory) await walk(entry, '', files);
    else {
      const f = items[i]?.getAsFile();
      if (f) looseFiles.push(f);
    }
  }
  if (items.length === 0) looseFiles.push(...list);
  for (const f of looseFiles) files.push({ file: f, relativePath: f.webkitRelativePath || f.name });
  if (files.length === 0) throw new Error('The drop held no files. Drop a folder of images.');
  return { kind: 'files', dropped: groupByTopFolder(files) };
}

export function DropZone({
  api,
  title,
  kicker,
  onFolder,
  busy,
  error,
  effect,
  children,
}: {
  api: DuetApi;
  /** The zone's accessible name: "Domain A" until a folder is chosen, then the folder's name. */
  title: string;
  kicker?: string;
  onFolder: (source: FolderSource) => void;
  busy?: ReactNode;
  error?: ReactNode;
  /** One line saying what a folder dropped here will do, shown before it happens. */
  effect?: ReactNode;
  children?: ReactNode;
}) {
  const [over, setOver] = useState(false);
  const [dropError, setDropError] = useState<string | null>(null);
  const [serverPath, setServerPath] = useState('');
  const picker = useRef<HTMLInputElement>(null);
  const headingId = useId();
  const pathId = useId();
  useEffect(() => {
    picker.current?.setAttribute('webkitdirectory', '');
  }, []);

  const choose = async () => {
    setDropError(null);
    if (api.transport === 'electron') {
      try {
        const r = await api.chooseFolder({ title: `Choose the folder for ${title}`, purpose: 'domain' });
        if (r.path) onFolder({ kind: 'path', path: r.path });
      } catch (err) {
        setDropError(err instanceof Error ? err.message : String(err));
      }
    } else picker.current?.click();
  };

  const empty = !children;
  return (
    <section
      aria-labelledby={headingId}
      className={`dropzone${over ? ' over' : ''}${empty ? ' empty-zone' : ''}${error || dropError ? ' has-error' : ''}`}
      data-testid={`dropzone-${kicker ?? title}`}
      onDragOver={(e) => {
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        setDropError(null);
        readDrop(e.dataTransfer, api).then(onFolder, (err) =>
          setDropError(err instanceof Error ? err.message : String(err)),
        );
      }}
    >
      {kicker && <span className="zone-kicker">{kicker}</span>}
      <div className="row spread" style={empty ? { justifyContent: 'center' } : undefined}>
        <h2 id={headingId}>{title}</h2>
        {!empty && (
          <button type="button" className="btn" onClick={choose} aria-label={`Replace folder for ${kicker ?? title}`}>
            Replace…
          </button>
        )}
      </div>
      {empty && (
        <>
          <div className="zone-icon" aria-hidden="true">
            ⤓
          </div>
          <p className="muted">Drop a folder of images here</p>
          <button type="button" className="btn primary" onClick={choose} aria-label={`Choose folder for ${title}`}>
            Choose folder…
          </button>
          {api.transport === 'serve' && (
            <form
              className="dropzone-path"
              onSubmit={(e) => {
                e.preventDefault();
                if (serverPath.trim()) onFolder({ kind: 'path', path: serverPath.trim() });
              }}
            >
              <label htmlFor={pathId} className="visually-hidden">
                Folder path on the server for {title}
              </label>
              <input
                id={pathId}
                type="text"
                placeholder="…or a folder path on the server"
                value={serverPath}
                onChange={(e) => setServerPath(e.target.value)}
              />
              <button type="submit" className="btn" disabled={!serverPath.trim()}>
                Use
              </button>
            </form>
          )}
        </>
      )}
      <input
        ref={picker}
        type="file"
        multiple
        hidden
        aria-label={`Folder for ${title}`}
        data-testid={`picker-${kicker ?? title}`}
        onChange={(e) => {
          const files = Array.from(e.target.files ?? []).map((file) => ({
            file,
            relativePath: file.webkitRelativePath || file.name,
          }));
          e.target.value = '';
          if (files.length > 0) onFolder({ kind: 'files', dropped: groupByTopFolder(files) });
        }}
      />
      {effect && (
        <p className="small muted drop-effect" data-testid={`drop-effect-${kicker ?? title}`}>
          {effect}
        </p>
      )}
      {busy}
      {(error || dropError) && (
        <div className="alert" role="alert">
          {error ?? dropError}
        </div>
      )}
      {children}
    </section>
  );
}
