/**
 * Data: what the engine's scan found in the project's folders — two folders, one folder holding
 * trainA/ trainB/ (or A/ B/), or one folder of A|B side-by-side images — with both domains' thumbnails
 * and skipped files, the pairing and the suggested model. One scan (scanFolders) drives it all; Next is
 * enabled when that scan says the data can train.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ModelType, Project, ScanReport } from '#contract';
import type { ProjectContext } from '../App';
import { useApi } from '../api/context';
import { DropZone, type FolderSource } from '../components/DropZone';
import { errorText, Loading } from '../components/States';
import { ThumbnailGrid } from '../components/ThumbnailGrid';
import {
  type DataFolders,
  type DomainView,
  describeScan,
  domainsShown,
  dropEffect,
  hasBothDomains,
  planDrop,
  type Side,
  scanRequestFor,
} from '../lib/dataLayout';
import { baseName, plural } from '../lib/format';
import { MODEL_NAME, MODEL_SHORT_NAME, MODEL_TYPES, modelChoiceLine } from '../lib/modelChoice';
import type { Route } from '../lib/route';

const PAIRING_TEXT: Record<ScanReport['pairing']['kind'], string> = {
  'paired-names': 'File names pair up one to one',
  aligned: 'Images hold A and B side by side',
  unpaired: 'No pairing between the folders',
};

const foldersOf = (p: Project): DataFolders => ({ domainA: p.domainA, domainB: p.domainB });

export function DataScreen({ ctx, navigate }: { ctx: ProjectContext; navigate: (r: Route) => void }) {
  const api = useApi();
  const { project } = ctx;
  const [report, setReport] = useState<ScanReport | null>(null);
  const [scanning, setScanning] = useState(false);
  const [scanError, setScanError] = useState<string>();
  const [busy, setBusy] = useState<Partial<Record<Side, string>>>({});
  const [dropError, setDropError] = useState<Partial<Record<Side, string>>>({});
  /** The folder being dropped on a zone, named while it uploads and scans. */
  const [pending, setPending] = useState<Partial<Record<Side, string>>>({});
  const [modelNote, setModelNote] = useState<string>();
  const [modelError, setModelError] = useState<string>();
  // Only the newest scan's answer is shown.
  const generation = useRef(0);
  // Drops finish one at a time, each planned on what the one before it left (two quick drops must not plan
  // from the same stale project and undo each other).
  const latestProject = useRef(project);
  latestProject.current = project;
  const latestReport = useRef(report);
  latestReport.current = report;
  const drops = useRef<Promise<void>>(Promise.resolve());

  const scanProject = useCallback(
    async (folders: DataFolders): Promise<ScanReport | null> => {
      const request = scanRequestFor(folders);
      const mine = ++generation.current;
      setScanError(undefined);
      if (!request) {
        setReport(null);
        return null;
      }
      setScanning(true);
      try {
        const r = await api.scanFolders(request);
        if (mine === generation.current) setReport(r);
        return r;
      } catch (err) {
        if (mine === generation.current) {
          setReport(null);
          setScanError(errorText(err));
        }
        return null;
      } finally {
        if (mine === generation.current) setScanning(false);
      }
    },
    [api],
  );

  // Scan what the project already has, once.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only on open
  useEffect(() => {
    void scanProject(foldersOf(project));
  }, [project.id]);

  const onFolder = async (side: Side, source: FolderSource) => {
    const set = <T,>(setter: (f: (m: Partial<Record<Side, T>>) => Partial<Record<Side, T>>) => void, value?: T) =>
      setter((m) => ({ ...m, [side]: value }));
    set(setDropError);
    setModelNote(undefined);
    try {
      let path: string;
      if (source.kind === 'path') path = source.path;
      else {
        const { dropped } = source;
        set(setPending, dropped.name);
        set(setBusy, `Uploading ${plural(dropped.files.length, 'file')}…`);
        const up = await api.uploadDroppedFiles(dropped.files, dropped.name, (done, total) =>
          set(setBusy, `Uploading… ${done} of ${total}`),
        );
        // Files keep their folder's name as the first path segment, so the folder is named after it.
        path = `${up.folder.replace(/[\\/]+$/, '')}/${dropped.name}`;
      }
      set(setPending, baseName(path));
      set(setBusy, `Scanning ${baseName(path)}…`);
      // The dropped folder on its own first: the engine says whether it holds both domains.
      const alone = await api.scanFolders({ a: path });
      const commit = drops.current.then(async () => {
        const current = latestProject.current;
        const next = planDrop(side, foldersOf(current), latestReport.current, path, alone.bothInOneFolder);
        const updated = await api.updateProject({ projectId: current.id, ...next });
        latestProject.current = updated;
        ctx.setProject(updated);
        let r: ScanReport | null = alone;
        if (next.domainA === path && next.domainB === null) {
          // The project is the dropped folder alone: its scan is the project's scan.
          generation.current += 1;
          setReport(alone);
          setScanError(undefined);
        } else r = await scanProject(next);
        latestReport.current = r;
        // New data, new suggestion: take it (the user can still choose the other model below).
        if (r && hasBothDomains(r) && r.pairing.suggestedModel !== updated.model) {
          const withModel = await api.updateProject({ projectId: current.id, model: r.pairing.suggestedModel });
          latestProject.current = withModel;
          ctx.setProject(withModel);
          setModelNote(`Model set to ${MODEL_NAME[r.pairing.suggestedModel]}, as Duet suggests for this data.`);
        }
      });
      drops.current = commit.catch(() => {});
      await commit;
    } catch (err) {
      set(setDropError, errorText(err));
    } finally {
      set(setBusy);
      set(setPending);
    }
  };

  const chooseModel = async (model: ModelType) => {
    setModelError(undefined);
    setModelNote(undefined);
    try {
      ctx.setProject(await api.updateProject({ projectId: project.id, model }));
    } catch (err) {
      setModelError(errorText(err));
    }
  };

  const folders = foldersOf(project);
  const shown = domainsShown(folders, report);
  const anyBusy = Boolean(busy.A || busy.B);

  const zone = (side: Side) => {
    const view: DomainView | null = shown[side];
    const scan = view?.scan;
    const halfWord = view?.half ? ` (${view.half} halves)` : '';
    const name = pending[side] ?? (scan ? `${scan.name}${halfWord}` : null);
    const noImages =
      scan && scan.images.length === 0
        ? `No usable images in ${scan.name}${scan.skipped.length ? ` (${plural(scan.skipped.length, 'file')} skipped, see below)` : ''}.`
        : undefined;
    // A|B images: the skipped files belong to the one folder; list them once, under A.
    const skipped = view?.half === 'right' ? [] : (scan?.skipped ?? []);
    return (
      <DropZone
        api={api}
        title={name ?? `Domain ${side}`}
        kicker={`Domain ${side}`}
        onFolder={(s) => void onFolder(side, s)}
        busy={busy[side] ? <Loading label={busy[side]} /> : null}
        error={dropError[side] ?? noImages}
        effect={busy[side] ? null : dropEffect(side, folders, report)}
      >
        {scan && !pending[side] ? (
          <>
            <p className="row small">
              <span className="badge accent" data-testid={`count-${side}`}>
                {plural(scan.images.length, 'image')}
              </span>
              {skipped.length > 0 && <span className="badge danger">{skipped.length} skipped</span>}
              <span className="muted" title={scan.root} data-testid={`source-${side}`}>
                {view?.half
                  ? `${view.half} half of each image in ${view.from ?? scan.name}${view.from && view.from !== scan.name ? `/${scan.name}` : ''}`
                  : view?.from
                    ? `${scan.name}/ in ${view.from}`
                    : scan.root}
              </span>
            </p>
            {scan.images.length > 0 && (
              <ThumbnailGrid
                images={scan.images}
                urlFor={(img) => api.mediaUrl(img.path, { width: view?.half ? 336 : 168 })}
                label={`Images in ${name}`}
                half={view?.half}
              />
            )}
            {skipped.length > 0 && (
              <details open={scan.images.length === 0 || skipped.length <= 5}>
                <summary>Skipped files ({skipped.length})</summary>
                <ul className="skipped-list" aria-label={`Skipped files in ${name}`}>
                  {skipped.map((s) => (
                    <li key={s.path}>
                      <code>{s.path.split(/[\\/]/).slice(-2).join('/')}</code> — {s.reason}
                    </li>
                  ))}
                </ul>
              </details>
            )}
          </>
        ) : null}
      </DropZone>
    );
  };

  const model = project.model;
  const canTrain = Boolean(report?.canTrain) && !anyBusy && !scanning;
  const whyNot = !report ? null : !project.domainA && project.domainB ? 'only one domain: add domain A' : report.whyNot;
  return (
    <div className="screen">
      <header className="screen-header">
        <div>
          <h1>Data</h1>
          <p>
            Drop two folders — or one folder holding both domains (trainA/ trainB/, or A|B side-by-side images). Duet
            reads them where they are and never writes to them.
          </p>
        </div>
        <button
          type="button"
          className="btn primary"
          disabled={!canTrain}
          onClick={() => navigate({ screen: 'train', projectId: project.id })}
        >
          Next: training settings →
        </button>
      </header>
      {report && (
        <div className={`alert ${report.canTrain ? 'info' : ''}`} role="status" data-testid="scan-summary">
          <span>
            {project.domainA ? describeScan(report) : `Domain B: ${report.a.name}.`}
            {whyNot && (
              <>
                {' '}
                <strong data-testid="why-not">Cannot train yet: {whyNot}.</strong>
              </>
            )}
          </span>
        </div>
      )}
      {scanning && !anyBusy && <Loading label="Scanning the project’s folders…" />}
      {scanError && (
        <div className="alert" role="alert">
          {scanError}
        </div>
      )}
      <div className="grid-2">
        {zone('A')}
        {zone('B')}
      </div>
      <section className="card" aria-labelledby="pairing-title">
        <h2 id="pairing-title">Pairing and model</h2>
        {!hasBothDomains(report) && <p className="muted">Add both domains to see how they pair up.</p>}
        {hasBothDomains(report) && (
          <div className="stack" data-testid="pairing">
            <p>
              <strong>{PAIRING_TEXT[report.pairing.kind]}</strong>
              {report.pairing.kind !== 'unpaired' && <> — {plural(report.pairing.pairs, 'pair')}</>}. Suggested model:{' '}
              <strong data-testid="suggested-model">{MODEL_NAME[report.pairing.suggestedModel]}</strong>.
            </p>
            <p className="muted small">
              Sizes {report.sizeStats.minWidth}–{report.sizeStats.maxWidth} × {report.sizeStats.minHeight}–
              {report.sizeStats.maxHeight} px (median {report.sizeStats.medianWidth} × {report.sizeStats.medianHeight})
            </p>
            {report.notes && report.notes.length > 0 && (
              <ul className="small muted" aria-label="Notes on this data">
                {report.notes.map((n) => (
                  <li key={n}>{n}</li>
                ))}
              </ul>
            )}
          </div>
        )}
        <fieldset>
          <legend>Model type</legend>
          <div className="segmented">
            {MODEL_TYPES.map((m) => (
              <label key={m}>
                <input
                  type="radio"
                  name="model-type"
                  value={m}
                  checked={model === m}
                  onChange={() => void chooseModel(m)}
                />
                {MODEL_NAME[m]}
              </label>
            ))}
          </div>
          <p className="small muted" style={{ marginTop: 8 }} data-testid="model-choice-line">
            {modelChoiceLine(hasBothDomains(report) ? report.pairing.kind : undefined)}
          </p>
          {modelNote && (
            <p className="small muted" style={{ marginTop: 8 }} data-testid="model-note">
              {modelNote}
            </p>
          )}
          {hasBothDomains(report) && report.pairing.suggestedModel !== model && (
            <p className="small muted" style={{ marginTop: 8 }}>
              Duet suggests {MODEL_SHORT_NAME[report.pairing.suggestedModel]} for this data.{' '}
              <button type="button" className="link" onClick={() => void chooseModel(report.pairing.suggestedModel)}>
                Use it
              </button>
            </p>
          )}
          {modelError && (
            <div className="alert" role="alert">
              {modelError}
            </div>
          )}
        </fieldset>
      </section>
    </div>
  );
}
