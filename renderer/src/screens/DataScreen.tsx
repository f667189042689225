/** Data: the two domains, their thumbnails and skipped files, and the pairing Duet detected. */
import { useCallback, useEffect, useState } from 'react';
import type { DomainScan, ModelType, ScanReport } from '#contract';
import type { ProjectContext } from '../App';
import { useApi } from '../api/context';
import { DropZone, type FolderSource } from '../components/DropZone';
import { errorText, Loading } from '../components/States';
import { ThumbnailGrid } from '../components/ThumbnailGrid';
import { baseName, plural } from '../lib/format';
import type { Route } from '../lib/route';

type Side = 'A' | 'B';
interface DomainState {
  path: string | null;
  scan?: DomainScan;
  error?: string;
  busy?: string;
}

const PAIRING_TEXT: Record<ScanReport['pairing']['kind'], string> = {
  'paired-names': 'File names pair up one to one',
  aligned: 'Images hold A and B side by side',
  unpaired: 'No pairing between the folders',
};

export function DataScreen({ ctx, navigate }: { ctx: ProjectContext; navigate: (r: Route) => void }) {
  const api = useApi();
  const { project } = ctx;
  const [domains, setDomains] = useState<Record<Side, DomainState>>({
    A: { path: project.domainA },
    B: { path: project.domainB },
  });
  const [report, setReport] = useState<ScanReport | null>(null);
  const [pairError, setPairError] = useState<string>();
  const [modelError, setModelError] = useState<string>();

  const patch = useCallback(
    (side: Side, value: Partial<DomainState>) => setDomains((d) => ({ ...d, [side]: { ...d[side], ...value } })),
    [],
  );

  const scanOne = useCallback(
    async (side: Side, path: string) => {
      patch(side, { busy: 'Scanning…', error: undefined });
      try {
        const r = await api.scanFolders({ a: path });
        const scan = r.a;
        if (scan.images.length === 0) {
          patch(side, {
            scan,
            busy: undefined,
            error: `No usable images in ${baseName(path)}${scan.skipped.length ? ` (${plural(scan.skipped.length, 'file')} skipped, see below)` : ''}.`,
          });
        } else patch(side, { scan, busy: undefined });
      } catch (err) {
        patch(side, { busy: undefined, scan: undefined, error: errorText(err) });
      }
    },
    [api, patch],
  );

  // Scan what the project already has, once.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only on open
  useEffect(() => {
    if (project.domainA) void scanOne('A', project.domainA);
    if (project.domainB) void scanOne('B', project.domainB);
  }, [project.id]);

  // The pairing needs both domains.
  const a = domains.A;
  const b = domains.B;
  const bothReady = Boolean(a.scan?.images.length && b.scan?.images.length && a.path && b.path);
  useEffect(() => {
    if (!bothReady || !a.path || !b.path) {
      setReport(null);
      return;
    }
    let live = true;
    setPairError(undefined);
    api.scanFolders({ a: a.path, b: b.path }).then(
      (r) => live && setReport(r),
      (err) => live && setPairError(errorText(err)),
    );
    return () => {
      live = false;
    };
  }, [api, bothReady, a.path, b.path]);

  const onFolder = async (side: Side, source: FolderSource) => {
    let path: string;
    try {
      if (source.kind === 'path') path = source.path;
      else {
        const { dropped } = source;
        patch(side, { busy: `Uploading ${plural(dropped.files.length, 'file')}…`, error: undefined, scan: undefined });
        const up = await api.uploadDroppedFiles(dropped.files, dropped.name, (done, total) =>
          patch(side, { busy: `Uploading… ${done} of ${total}` }),
        );
        // Files keep their folder's name as the first path segment, so the domain is named after it.
        path = `${up.folder.replace(/[\\/]+$/, '')}/${dropped.name}`;
      }
      patch(side, { path });
      const updated = await api.updateProject({
        projectId: project.id,
        ...(side === 'A' ? { domainA: path } : { domainB: path }),
      });
      ctx.setProject(updated);
      await scanOne(side, path);
    } catch (err) {
      patch(side, { busy: undefined, error: errorText(err) });
    }
  };

  const chooseModel = async (model: ModelType) => {
    setModelError(undefined);
    try {
      ctx.setProject(await api.updateProject({ projectId: project.id, model }));
    } catch (err) {
      setModelError(errorText(err));
    }
  };

  const zone = (side: Side) => {
    const d = domains[side];
    const name = d.path ? baseName(d.path) : null;
    const scan = d.scan;
    return (
      <DropZone
        api={api}
        title={name ?? `Domain ${side}`}
        kicker={`Domain ${side}`}
        onFolder={(s) => void onFolder(side, s)}
        busy={d.busy ? <Loading label={d.busy} /> : null}
        error={d.error}
      >
        {scan ? (
          <>
            <p className="row small">
              <span className="badge accent" data-testid={`count-${side}`}>
                {plural(scan.images.length, 'image')}
              </span>
              {scan.skipped.length > 0 && <span className="badge danger">{scan.skipped.length} skipped</span>}
              <span className="muted" title={d.path ?? ''}>
                {d.path}
              </span>
            </p>
            {scan.images.length > 0 && (
              <ThumbnailGrid
                images={scan.images}
                urlFor={(img) => api.mediaUrl(img.path, { width: 168 })}
                label={`Images in ${name}`}
              />
            )}
            {scan.skipped.length > 0 && (
              <details open={scan.images.length === 0 || scan.skipped.length <= 5}>
                <summary>Skipped files ({scan.skipped.length})</summary>
                <ul className="skipped-list" aria-label={`Skipped files in ${name}`}>
                  {scan.skipped.map((s) => (
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
  return (
    <div className="screen">
      <header className="screen-header">
        <div>
          <h1>Data</h1>
          <p>
            Drop the two folders you want to translate between. Duet reads them where they are and never writes to them.
          </p>
        </div>
        <button
          type="button"
          className="btn primary"
          disabled={!bothReady}
          onClick={() => navigate({ screen: 'train', projectId: project.id })}
        >
          Next: training settings →
        </button>
      </header>
      <div className="grid-2">
        {zone('A')}
        {zone('B')}
      </div>
      <section className="card" aria-labelledby="pairing-title">
        <h2 id="pairing-title">Pairing and model</h2>
        {!bothReady && <p className="muted">Add both domains to see how they pair up.</p>}
        {bothReady && !report && !pairError && <Loading label="Checking how the folders pair up…" />}
        {pairError && (
          <div className="alert" role="alert">
            {pairError}
          </div>
        )}
        {report && (
          <div className="stack" data-testid="pairing">
            <p>
              <strong>{PAIRING_TEXT[report.pairing.kind]}</strong>
              {report.pairing.kind !== 'unpaired' && <> — {plural(report.pairing.pairs, 'pair')}</>}. Suggested model:{' '}
              <strong data-testid="suggested-model">
                {report.pairing.suggestedModel === 'pix2pix' ? 'pix2pix (paired)' : 'CycleGAN (unpaired)'}
              </strong>
              .
            </p>
            <p className="muted small">
              Sizes {report.sizeStats.minWidth}–{report.sizeStats.maxWidth} × {report.sizeStats.minHeight}–
              {report.sizeStats.maxHeight} px (median {report.sizeStats.medianWidth} × {report.sizeStats.medianHeight})
            </p>
          </div>
        )}
        <fieldset>
          <legend>Model type</legend>
          <div className="segmented">
            {(['cyclegan', 'pix2pix'] as const).map((m) => (
              <label key={m}>
                <input
                  type="radio"
                  name="model-type"
                  value={m}
                  checked={model === m}
                  onChange={() => void chooseModel(m)}
                />
                {m === 'cyclegan' ? 'CycleGAN (unpaired)' : 'pix2pix (paired)'}
              </label>
            ))}
          </div>
          {report && report.pairing.suggestedModel !== model && (
            <p className="small muted" style={{ marginTop: 8 }}>
              Duet suggests {report.pairing.suggestedModel === 'pix2pix' ? 'pix2pix' : 'CycleGAN'} for this data.{' '}
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
